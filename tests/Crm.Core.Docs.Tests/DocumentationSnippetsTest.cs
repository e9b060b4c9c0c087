using System.Reflection;
using System.Text;
using System.Text.RegularExpressions;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace Crm.Core.Docs.Tests;

/// <summary>
/// Every ```csharp block in README.md and docs/*.md must compile against the current libraries.
/// </summary>
/// <remarks>
/// The blocks of one Markdown file form one program, in order, as a reader follows them: <c>using</c> lines
/// are hoisted to the top, statements become the top-level program (async allowed), and type declarations
/// go after them. Mark a block ```csharp-snippet (or any other language) to exclude it on purpose.
/// </remarks>
public partial class DocumentationSnippetsTest
{
    public static TheoryData<string> MarkdownFiles()
    {
        var data = new TheoryData<string>();
        var root = RepositoryRoot();
        var docs = Path.Combine(root, "docs");
        var pages = Directory.Exists(docs) ? Directory.EnumerateFiles(docs, "*.md", SearchOption.AllDirectories) : [];
        foreach (var file in pages.Prepend(Path.Combine(root, "README.md")).Order(StringComparer.Ordinal))
        {
            data.Add(Path.GetRelativePath(root, file));
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(MarkdownFiles))]
    public void Csharp_blocks_compile(string relativePath)
    {
        var markdown = File.ReadAllText(Path.Combine(RepositoryRoot(), relativePath));
        var blocks = CsharpBlock().Matches(markdown).Select(m => m.Groups["code"].Value).ToList();
        if (blocks.Count == 0)
        {
            return; // nothing to compile in this file
        }

        var source = AssembleProgram(blocks);
        var compilation = CSharpCompilation.Create(
            "DocSnippets_" + Path.GetFileNameWithoutExtension(relativePath),
            [
                CSharpSyntaxTree.ParseText(source, ParseOptions, path: relativePath),
                CSharpSyntaxTree.ParseText(ImplicitUsings, ParseOptions, path: "ImplicitUsings.cs"),
            ],
            References(),
            new CSharpCompilationOptions(OutputKind.ConsoleApplication, nullableContextOptions: NullableContextOptions.Enable));

        var errors = compilation.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error).ToList();
        Assert.True(errors.Count == 0,
            $"{relativePath}: its C# blocks do not compile:\n{string.Join("\n", errors.Select(e => e.ToString()))}\n--- assembled program ---\n{source}");
    }

    [Fact]
    public void The_assembler_hoists_usings_and_moves_types_after_statements()
    {
        var program = AssembleProgram(["using System;\nvar x = 1;\npublic record R(int A);\n", "using System;\nConsole.WriteLine(x);\n"]);
        var lines = program.Split('\n').Where(l => l.Length > 0).ToList();
        Assert.Equal("using System;", lines[0]);
        Assert.Equal(1, lines.Count(l => l == "using System;"));
        Assert.True(lines.IndexOf("Console.WriteLine(x);") < lines.IndexOf("public record R(int A);"));
    }

    // What an SDK-style project with <ImplicitUsings>enable</ImplicitUsings> gives a reader's program.
    private const string ImplicitUsings = """
        global using System;
        global using System.Collections.Generic;
        global using System.IO;
        global using System.Linq;
        global using System.Net.Http;
        global using System.Threading;
        global using System.Threading.Tasks;
        """;

    private static readonly CSharpParseOptions ParseOptions = new(LanguageVersion.Preview);

    internal static string AssembleProgram(IReadOnlyList<string> blocks)
    {
        var usings = new List<string>();
        var statements = new StringBuilder();
        var types = new StringBuilder();
        foreach (var block in blocks)
        {
            var inType = false;
            var depth = 0;
            foreach (var line in block.Split('\n'))
            {
                var trimmed = line.TrimEnd('\r');
                if (!inType && UsingDirective().IsMatch(trimmed))
                {
                    if (!usings.Contains(trimmed.Trim()))
                    {
                        usings.Add(trimmed.Trim());
                    }
                    continue;
                }
                if (!inType && TypeDeclaration().IsMatch(trimmed))
                {
                    inType = true;
                    depth = 0;
                }
                if (inType)
                {
                    types.AppendLine(trimmed);
                    depth += trimmed.Count(c => c == '{') - trimmed.Count(c => c == '}');
                    // A type ends when its braces close, or on the same line for positional records ending in ';'.
                    if (depth <= 0 && (trimmed.Contains('}') || trimmed.TrimEnd().EndsWith(';')))
                    {
                        inType = false;
                    }
                    continue;
                }
                statements.AppendLine(trimmed);
            }
        }
        return string.Join("\n", usings) + "\n\n" + statements + "\n" + types;
    }

    private static IEnumerable<MetadataReference> References()
    {
        var platform = ((string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!).Split(Path.PathSeparator);
        var local = Directory.EnumerateFiles(AppContext.BaseDirectory, "*.dll");
        return platform.Concat(local)
            .GroupBy(Path.GetFileName, StringComparer.OrdinalIgnoreCase)
            .Select(g => g.First())
            .Where(IsManagedAssembly)
            .Select(path => MetadataReference.CreateFromFile(path));
    }

    private static bool IsManagedAssembly(string path)
    {
        try
        {
            AssemblyName.GetAssemblyName(path);
            return true;
        }
        catch (BadImageFormatException)
        {
            return false;
        }
    }

    private static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Crm.Core.sln")))
            {
                return dir.FullName;
            }
        }
        throw new InvalidOperationException("Crm.Core.sln not found above " + AppContext.BaseDirectory);
    }

    [GeneratedRegex(@"^```csharp[ \t]*\r?\n(?<code>.*?)^```", RegexOptions.Multiline | RegexOptions.Singleline)]
    private static partial Regex CsharpBlock();

    [GeneratedRegex(@"^using\s+(static\s+)?[A-Za-z_][\w.]*(\s*=\s*[\w.<>]+)?\s*;\s*$")]
    private static partial Regex UsingDirective();

    [GeneratedRegex(@"^(public |internal |sealed |static |abstract |partial |file |readonly )*(class|record|struct|interface|enum)\s+\w+")]
    private static partial Regex TypeDeclaration();
}
