using System.Globalization;
using CloudSentinel.Grains.Abstractions;
using CloudSentinel.Ingestion;

namespace CloudSentinel.Connectors;

/// <summary>Turns one raw FOCUS row into a bucket key and a USD amount, or into errors naming the line and the column.</summary>
internal sealed class FocusRowMapper
{
    private readonly FocusImportOptions _options;
    private readonly int _columnCount;
    private readonly int _start, _end, _currency, _billingAccount, _subAccount, _provider, _category, _serviceName,
        _chargeCategory, _region, _resource, _tags, _cost;
    private readonly string _costColumn;
    private readonly Dictionary<string, string> _costTypes;

    public FocusRowMapper(IReadOnlyList<string> header, FocusImportOptions options)
    {
        _options = options;
        _columnCount = header.Count;
        _costColumn = options.CostColumn.ToString();
        _costTypes = options.CostTypeByServiceCategory.ToDictionary(p => p.Key.Trim(), p => p.Value, StringComparer.OrdinalIgnoreCase);
        var missing = FocusColumns.Required.Append(_costColumn).Where(c => IndexOf(header, c) < 0).ToList();
        if (missing.Count > 0)
        {
            throw new FocusFileException(1, $"mandatory FOCUS column(s) missing from the header: {string.Join(", ", missing)}");
        }

        _start = IndexOf(header, FocusColumns.ChargePeriodStart);
        _end = IndexOf(header, FocusColumns.ChargePeriodEnd);
        _currency = IndexOf(header, FocusColumns.BillingCurrency);
        _billingAccount = IndexOf(header, FocusColumns.BillingAccountId);
        _subAccount = IndexOf(header, FocusColumns.SubAccountId);
        _provider = IndexOf(header, FocusColumns.ProviderName);
        _category = IndexOf(header, FocusColumns.ServiceCategory);
        _serviceName = IndexOf(header, FocusColumns.ServiceName);
        _chargeCategory = IndexOf(header, FocusColumns.ChargeCategory);
        _region = IndexOf(header, FocusColumns.RegionId);
        _resource = IndexOf(header, FocusColumns.ResourceId);
        _tags = IndexOf(header, FocusColumns.Tags);
        _cost = IndexOf(header, _costColumn);
        UsedColumns = new HashSet<int>(new[] { _start, _end, _currency, _billingAccount, _subAccount, _provider, _category,
            _serviceName, _chargeCategory, _region, _resource, _tags, _cost }.Where(i => i >= 0));
    }

    /// <summary>The columns a reader must fill; Parquet skips the others entirely.</summary>
    public IReadOnlySet<int> UsedColumns { get; }

    /// <summary>Maps the row, or adds its errors to <paramref name="errors"/> and returns false.</summary>
    public bool TryMap(FocusRawRow row, List<IngestError> errors, out CostLineKey key, out decimal costUsd, out CostLineDetails details)
    {
        key = default;
        costUsd = 0;
        details = default;
        var before = errors.Count;
        void Fail(string field, string reason) => errors.Add(new IngestError(row.Line, field, reason));

        if (row.Values.Count != _columnCount)
        {
            Fail("(row)", $"has {row.Values.Count} fields but the header has {_columnCount}");
            return false;
        }

        var start = Timestamp(row, _start, FocusColumns.ChargePeriodStart, Fail);
        var end = Timestamp(row, _end, FocusColumns.ChargePeriodEnd, Fail);
        if (start is { } s && end is { } e && e <= s) Fail(FocusColumns.ChargePeriodEnd, $"{e:O} is not after ChargePeriodStart {s:O}");

        var amount = Number(row, _cost, _costColumn, Fail);
        decimal? usd = null;
        if (amount is { } a)
        {
            usd = CurrencyConverter.ToUsd(a, Value(row, _currency), _options.UsdRates, out var currencyError);
            if (currencyError is not null) Fail(FocusColumns.BillingCurrency, currencyError);
        }

        var chargeCategory = Value(row, _chargeCategory);
        if (chargeCategory is null) Fail(FocusColumns.ChargeCategory, "is empty");
        else if (!FocusColumns.ChargeCategories.Contains(chargeCategory)) Fail(FocusColumns.ChargeCategory, $"'{chargeCategory}' is not one of Usage, Purchase, Tax, Credit, Adjustment");

        Dictionary<string, string>? tags = null;
        if (Value(row, _tags) is { } tagText)
        {
            tags = FocusTags.Parse(tagText, out var tagError);
            if (tagError is not null) Fail(FocusColumns.Tags, tagError);
        }

        var service = FocusTags.FirstValue(tags, _options.ServiceTagKeys) ?? CostVocabulary.UntaggedService;
        if (Names.CheckServiceName(service) is { } serviceProblem) Fail(FocusColumns.Tags, $"the service tag value {serviceProblem}");

        if (errors.Count > before) return false;

        var subAccount = Value(row, _subAccount);
        var category = Value(row, _category);
        key = new CostLineKey(
            service,
            Provider(Value(row, _provider)),
            subAccount ?? Value(row, _billingAccount) ?? "",
            category is not null && _costTypes.TryGetValue(category, out var costType) ? costType : "other",
            start!.Value,
            end!.Value);
        costUsd = usd!.Value;
        details = new CostLineDetails(subAccount, Value(row, _serviceName), category, Value(row, _region), Value(row, _resource), tags);
        return true;
    }

    private string Provider(string? name)
    {
        if (name is null) return "other";
        foreach (var rule in _options.ProviderRules)
        {
            if (name.Contains(rule.Keyword, StringComparison.OrdinalIgnoreCase)) return rule.Provider;
        }

        return "other";
    }

    /// <summary>Exports write null as an empty field or as the text NULL; both mean no value.</summary>
    private static string? Value(FocusRawRow row, int index)
    {
        if (index < 0) return null;
        var text = row.Values[index]?.Trim();
        return string.IsNullOrEmpty(text) || text.Equals("NULL", StringComparison.OrdinalIgnoreCase) ? null : text;
    }

    private static DateTime? Timestamp(FocusRawRow row, int index, string column, Action<string, string> fail)
    {
        var text = Value(row, index);
        if (text is null)
        {
            fail(column, "is empty");
            return null;
        }

        if (DateTime.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal, out var value)) return value;
        fail(column, $"'{text}' is not an ISO 8601 date-time");
        return null;
    }

    private static decimal? Number(FocusRawRow row, int index, string column, Action<string, string> fail)
    {
        var text = Value(row, index);
        if (text is null)
        {
            fail(column, "is empty");
            return null;
        }

        if (decimal.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value)) return value;
        fail(column, $"'{text}' is not a number");
        return null;
    }

    private static int IndexOf(IReadOnlyList<string> header, string column)
    {
        for (var i = 0; i < header.Count; i++)
        {
            if (header[i].Trim().Equals(column, StringComparison.OrdinalIgnoreCase)) return i;
        }

        return -1;
    }
}
