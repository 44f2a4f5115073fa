using System.Globalization;
using CloudSentinel.Core;

namespace CloudSentinel.Connectors;

/// <summary>
/// Where a row stands in FOCUS 1.3 split cost allocation. An allocated charge (AllocatedMethodId set)
/// is one part of an origin charge; the parts sum to the origin, so a file that carries both must
/// count the parts only. <see cref="Origin"/> identifies the origin charge a row is or belongs to:
/// its resource, charge period, category and product (dimensions the split parts repeat).
/// </summary>
internal readonly record struct FocusSplit(bool IsAllocated, FocusSplitOrigin? Origin);

internal readonly record struct FocusSplitOrigin(string ResourceId, DateTime Start, DateTime End, string ChargeCategory, string? ServiceName);

/// <summary>Turns one raw FOCUS row into a bucket key and a USD amount, or into errors naming the line and the column.</summary>
internal sealed class FocusRowMapper
{
    private readonly FocusImportOptions _options;
    private readonly int _columnCount;
    private readonly int _start, _end, _currency, _billingAccount, _subAccount, _provider, _hostProvider, _category, _serviceName,
        _chargeCategory, _region, _resource, _tags, _cost, _allocatedMethod, _allocatedMethodDetails, _allocatedTags, _contractApplied, _breakdown, _subAccountName;
    private readonly string _costColumn;
    private readonly Dictionary<string, string> _costTypes;

    public FocusRowMapper(IReadOnlyList<string> header, FocusImportOptions options)
    {
        _options = options;
        _columnCount = header.Count;
        _costColumn = options.CostColumn.ToString();
        _costTypes = options.CostTypeByServiceCategory.ToDictionary(p => p.Key.Trim(), p => p.Value, StringComparer.OrdinalIgnoreCase);
        Version = FocusVersions.Detect(header);
        var required = Version == FocusVersion.V1_3 ? FocusColumns.Required13 : FocusColumns.RequiredUpTo12;
        var missing = required.Append(_costColumn).Where(c => IndexOf(header, c) < 0).ToList();
        if (missing.Count > 0)
        {
            throw new FocusFileException(1, $"mandatory FOCUS {Version.Label()} column(s) missing from the header: {string.Join(", ", missing)}");
        }

        _start = IndexOf(header, FocusColumns.ChargePeriodStart);
        _end = IndexOf(header, FocusColumns.ChargePeriodEnd);
        _currency = IndexOf(header, FocusColumns.BillingCurrency);
        _billingAccount = IndexOf(header, FocusColumns.BillingAccountId);
        _subAccount = IndexOf(header, FocusColumns.SubAccountId);
        // 1.3 names the provider twice: who sold the service, and whose infrastructure runs it.
        _provider = IndexOf(header, Version == FocusVersion.V1_3 ? FocusColumns.ServiceProviderName : FocusColumns.ProviderName);
        _hostProvider = Version == FocusVersion.V1_3 ? IndexOf(header, FocusColumns.HostProviderName) : -1;
        _category = IndexOf(header, FocusColumns.ServiceCategory);
        _serviceName = IndexOf(header, FocusColumns.ServiceName);
        _chargeCategory = IndexOf(header, FocusColumns.ChargeCategory);
        _region = IndexOf(header, FocusColumns.RegionId);
        _resource = IndexOf(header, FocusColumns.ResourceId);
        _tags = IndexOf(header, FocusColumns.Tags);
        _cost = IndexOf(header, _costColumn);
        _allocatedMethod = IndexOf(header, FocusColumns.AllocatedMethodId);
        _allocatedMethodDetails = IndexOf(header, FocusColumns.AllocatedMethodDetails);
        _allocatedTags = IndexOf(header, FocusColumns.AllocatedTags);
        _contractApplied = IndexOf(header, FocusColumns.ContractApplied);
        _breakdown = IndexOf(header, FocusColumns.CloudSentinelBreakdown);
        _subAccountName = IndexOf(header, FocusColumns.SubAccountName);
        UsedColumns = new HashSet<int>(new[] { _start, _end, _currency, _billingAccount, _subAccount, _provider, _hostProvider, _category,
            _serviceName, _chargeCategory, _region, _resource, _tags, _cost, _allocatedMethod, _allocatedMethodDetails, _allocatedTags,
            _contractApplied, _breakdown, _subAccountName }.Where(i => i >= 0));
    }

    public FocusVersion Version { get; }

    /// <summary>The file can hold split cost allocation (it has AllocatedMethodId), so origin charges must be matched with their parts.</summary>
    public bool HasSplits => _allocatedMethod >= 0;

    /// <summary>The columns a reader must fill; Parquet skips the others entirely.</summary>
    public IReadOnlySet<int> UsedColumns { get; }

    /// <summary>Maps the row, or adds its errors to <paramref name="errors"/> and returns false.</summary>
    public bool TryMap(FocusRawRow row, List<IngestError> errors, out CostLineKey key, out decimal costUsd, out CostLineDetails details, out FocusSplit split)
    {
        key = default;
        costUsd = 0;
        details = default;
        split = default;
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

        var allocatedMethod = Value(row, _allocatedMethod);
        Dictionary<string, string>? allocatedTags = null;
        if (Value(row, _allocatedTags) is { } allocatedTagText)
        {
            allocatedTags = FocusTags.Parse(allocatedTagText, out var allocatedTagError);
            if (allocatedTagError is not null) Fail(FocusColumns.AllocatedTags, allocatedTagError);
        }

        if (Value(row, _allocatedMethodDetails) is { } methodDetails && FocusTags.CheckJson(methodDetails) is { } methodProblem)
        {
            Fail(FocusColumns.AllocatedMethodDetails, methodProblem);
        }

        var contractApplied = Value(row, _contractApplied);
        if (contractApplied is not null && FocusTags.CheckJson(contractApplied) is { } contractProblem) Fail(FocusColumns.ContractApplied, contractProblem);

        // An allocated charge names the part's own owner in AllocatedTags; the origin's Tags follow.
        var fromAllocated = allocatedMethod is not null ? FocusTags.FirstValue(allocatedTags, _options.ServiceTagKeys) : null;
        var service = fromAllocated ?? FocusTags.FirstValue(tags, _options.ServiceTagKeys) ?? CostVocabulary.UntaggedService;
        if (Names.CheckServiceName(service) is { } serviceProblem)
        {
            Fail(fromAllocated is null ? FocusColumns.Tags : FocusColumns.AllocatedTags, $"the service tag value {serviceProblem}");
        }

        if (errors.Count > before) return false;

        var subAccount = Value(row, _subAccount);
        var category = Value(row, _category);
        var costType = category is not null && _costTypes.TryGetValue(category, out var mapped) ? mapped : "other";
        // CloudSentinel's own export names the bucket's storage type or direction, so a re-import keeps them.
        var breakdown = Value(row, _breakdown);
        key = new CostLineKey(
            service,
            Provider(row),
            subAccount ?? Value(row, _billingAccount) ?? "",
            costType,
            start!.Value,
            end!.Value,
            costType == "storage" ? breakdown : null,
            costType == "network" && breakdown?.ToLowerInvariant() is "ingress" or "egress" ? breakdown.ToLowerInvariant() : null);
        costUsd = usd!.Value;
        var resource = Value(row, _resource);
        var original = CurrencyConverter.Original(Value(row, _currency), _options.UsdRates);
        details = new CostLineDetails(subAccount, Value(row, _serviceName), category, Value(row, _region), resource, tags, contractApplied, Value(row, _subAccountName),
            original?.Currency, original?.UsdRate);
        split = new FocusSplit(allocatedMethod is not null,
            resource is null ? null : new FocusSplitOrigin(resource, start!.Value, end!.Value, chargeCategory!, Value(row, _serviceName)));
        return true;
    }

    /// <summary>The cloud of the row: in 1.3 the host provider when it is a known cloud, else the service provider.</summary>
    private string Provider(FocusRawRow row)
    {
        var host = Value(row, _hostProvider);
        if (host is not null && !host.Equals("Not Applicable", StringComparison.OrdinalIgnoreCase) && Provider(host) is var hosted && hosted != "other")
        {
            return hosted;
        }

        return Provider(Value(row, _provider));
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
