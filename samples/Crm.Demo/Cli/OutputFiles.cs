namespace Crm.Demo.Cli;

/// <summary>Output helpers shared by the commands that write files (<c>rfm</c>, <c>clv</c>).</summary>
public static class OutputFiles
{
    /// <summary>
    /// Writes through a temporary file in the same folder and moves it into place, so a failed run never leaves a
    /// half-written output; I/O errors become a one-line <see cref="CliInputException"/> naming the file.
    /// </summary>
    public static void WriteAtomically(string path, Action<string> write)
    {
        ArgumentNullException.ThrowIfNull(path);
        ArgumentNullException.ThrowIfNull(write);
        var full = Path.GetFullPath(path);
        var temp = Path.Combine(Path.GetDirectoryName(full) ?? ".", $".{Path.GetFileNameWithoutExtension(full)}.{Guid.NewGuid():N}.tmp{Path.GetExtension(full)}");
        try
        {
            write(temp);
            File.Move(temp, full, overwrite: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new CliInputException($"{path}: cannot write the file: {e.Message}", e);
        }
        finally
        {
            if (File.Exists(temp))
            {
                File.Delete(temp);
            }
        }
    }

    /// <summary>RFC 4180 quoting, only where needed, so plain ids are echoed byte for byte.</summary>
    public static string Quote(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        return value.AsSpan().IndexOfAny(",\"\r\n") < 0 ? value : $"\"{value.Replace("\"", "\"\"", StringComparison.Ordinal)}\"";
    }
}
