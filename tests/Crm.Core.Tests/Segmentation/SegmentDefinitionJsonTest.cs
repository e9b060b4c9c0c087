using Crm.Core.Segmentation;
using NodaTime;

namespace Crm.Core.Tests.Segmentation;

public class SegmentDefinitionJsonTest
{
    [Fact]
    public void Parses_every_node_kind()
    {
        const string json = """
        {"schema":1,"rule":{"all":[
          {"field":"rfm.r","op":"gte","value":4},
          {"field":"city","op":"in","values":["Berlin","Hamburg"],"ignoreCase":true},
          {"not":{"field":"tags","op":"contains","value":"staff"}},
          {"any":[{"field":"purchases.last","op":"inPeriod","value":{"period":"month","offset":-1}},
                  {"field":"purchases.last","op":"gte","value":{"daysAgo":30}}]},
          {"attribute":"shoeSize","type":"number","op":"between","values":[40,44]},
          {"purchased":"category","key":"shoes","since":{"startOf":"year"}},
          {"channelShare":"Web","op":"gte","value":50},
          {"holds":{"category":"loans"}},
          {"consent":"marketing","channel":"Email"},
          {"anniversary":"birthday","withinDays":7}
        ]}}
        """;
        var rule = Assert.IsType<AllOf>(SegmentDefinitionJson.Parse(json));
        Assert.Equal(10, rule.Children.Count);
        Assert.Empty(RuleCompiler.Default.Validate(rule));
        Assert.Equal(SegmentDefinitionJson.Serialize(rule), SegmentDefinitionJson.Serialize(SegmentDefinitionJson.Parse(SegmentDefinitionJson.Serialize(rule))));
    }

    [Theory]
    [InlineData("""{"rule":{"all":[]}}""", "$.schema")]
    [InlineData("""{"schema":2,"rule":{"all":[]}}""", "$.schema")]
    [InlineData("""{"schema":1,"rule":{"all":[{"field":"x","op":"nope","value":1}]}}""", "$.rule.all[0].op")]
    [InlineData("""{"schema":1,"rule":{"any":[{},{"field":"a","op":"eq"}]}}""", "$.rule.any[0]")]
    [InlineData("""{"schema":1,"rule":{"not":{"field":"a","op":"eq","value":[1]}}}""", "$.rule.not.value")]
    [InlineData("""{"schema":1,"rule":{"field":"a","op":"eq","value":1,"colour":2}}""", "$.rule.colour")]
    [InlineData("""{"schema":1,"rule":{"field":"a","op":"gte","value":{"daysAgo":-3}}}""", "$.rule.value.daysAgo")]
    [InlineData("""{"schema":1,"rule":[1]}""", "$.rule")]
    [InlineData("""not json""", "$")]
    public void Malformed_documents_report_the_path(string json, string path)
    {
        var error = Assert.Throws<SegmentDefinitionException>(() => SegmentDefinitionJson.Parse(json));
        Assert.Contains(error.Errors, e => e.Path == path);
    }

    [Fact]
    public void Validation_reports_unknown_fields_and_operator_type_mismatches_with_paths()
    {
        var rule = SegmentDefinitionJson.Parse("""
        {"schema":1,"rule":{"all":[
          {"field":"nope","op":"eq","value":1},
          {"field":"city","op":"gt","value":"a"},
          {"field":"purchases.count","op":"eq","value":1.5},
          {"field":"purchases.last","op":"gte","value":"yesterday"},
          {"field":"hasEmail","op":"eq","value":true,"ignoreCase":true}
        ]}}
        """);
        var errors = RuleCompiler.Default.Validate(rule);
        Assert.Equal(["$.rule.all[0].field", "$.rule.all[1].op", "$.rule.all[2].value", "$.rule.all[3].value", "$.rule.all[4].ignoreCase"], errors.Select(e => e.Path));
        var thrown = Assert.Throws<SegmentDefinitionException>(() => RuleCompiler.Default.Compile(rule, new LocalDate(2024, 1, 1)));
        Assert.Equal(5, thrown.Errors.Count);
    }
}
