using System.Buffers;
using System.Globalization;
using System.Text.Json;

namespace CloudSentinel.Connectors;

/// <summary>
/// Reads the answer of <c>/api/v1/query_range</c> (<c>{"status":"success","data":{"resultType":"matrix","result":[…]}}</c>)
/// while it arrives, handing each series over as soon as it is complete. Only one series (plus a
/// read buffer) is in memory at a time, so an answer for 10,000 pods over days never is whole.
/// </summary>
/// <remarks>
/// <see cref="Utf8JsonReader"/> cannot wait for data, so the reader works in units (a token of the
/// envelope, or a whole series): when a unit is cut by the end of the buffer, it is read again from its
/// start once more bytes have arrived. A series that does not fit the buffer grows it.
/// </remarks>
public static class PrometheusMatrixReader
{
    private const int InitialBuffer = 64 * 1024;

    /// <summary>Calls <paramref name="onSeries"/> for every series, in the answer's order; returns how many there were.</summary>
    /// <exception cref="IOException">The answer ended before it was complete (a dropped connection).</exception>
    /// <exception cref="FormatException">The answer is not a matrix, or a point cannot be read.</exception>
    public static async Task<int> ReadAsync(Stream body, Action<PrometheusSeries> onSeries, CancellationToken cancellationToken)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(InitialBuffer);
        try
        {
            var parser = new Parser(onSeries);
            var filled = 0;
            var final = false;
            while (!parser.Done)
            {
                if (filled == buffer.Length)
                {
                    // The unit in progress fills the whole buffer: it needs a bigger one.
                    var bigger = ArrayPool<byte>.Shared.Rent(buffer.Length * 2);
                    buffer.AsSpan(0, filled).CopyTo(bigger);
                    ArrayPool<byte>.Shared.Return(buffer);
                    buffer = bigger;
                }

                var read = await body.ReadAsync(buffer.AsMemory(filled), cancellationToken);
                filled += read;
                final = read == 0;
                int consumed;
                try
                {
                    consumed = parser.Consume(buffer.AsSpan(0, filled), final);
                }
                catch (JsonException e) when (final)
                {
                    // At the end of the data the reader reports an unclosed object as bad JSON; it is a cut answer.
                    throw new IOException($"the query answer ended before it was complete ({e.Message})", e);
                }

                if (final && !parser.Done) throw new IOException("the query answer ended before it was complete");
                buffer.AsSpan(consumed, filled - consumed).CopyTo(buffer);
                filled -= consumed;
            }

            return parser.Series;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private sealed class Parser(Action<PrometheusSeries> onSeries)
    {
        private JsonReaderState _state = new(new JsonReaderOptions { MaxDepth = 16 });
        private bool _inResult;
        private string? _property;
        private string? _resultType;

        public bool Done { get; private set; }

        public int Series { get; private set; }

        /// <summary>Reads every complete unit of <paramref name="data"/>; returns the bytes it used.</summary>
        public int Consume(ReadOnlySpan<byte> data, bool final)
        {
            var reader = new Utf8JsonReader(data, final, _state);
            var used = 0;
            while (!Done)
            {
                var before = reader;
                if (!(_inResult ? ReadSeriesOrEnd(ref reader) : ReadEnvelopeToken(ref reader)))
                {
                    reader = before;
                    break;
                }

                used = (int)reader.BytesConsumed;
                _state = reader.CurrentState;
            }

            return used;
        }

        /// <summary>Walks the envelope up to the start of <c>data.result</c>.</summary>
        private bool ReadEnvelopeToken(ref Utf8JsonReader reader)
        {
            if (!reader.Read()) return false;
            switch (reader.TokenType)
            {
                case JsonTokenType.PropertyName:
                    _property = reader.GetString();
                    break;
                case JsonTokenType.String when _property == "resultType" && reader.CurrentDepth == 2:
                    _resultType = reader.GetString();
                    break;
                case JsonTokenType.StartArray when _property == "result" && reader.CurrentDepth == 2:
                    if (_resultType is not null and not "matrix") throw new FormatException($"the query answered a {_resultType}, not a matrix");
                    _inResult = true;
                    break;
                case JsonTokenType.EndObject when reader.CurrentDepth == 0:
                    // An envelope without data.result (Prometheus always sends it on success).
                    throw new FormatException("the query answer has no data.result");
            }

            return true;
        }

        private bool ReadSeriesOrEnd(ref Utf8JsonReader reader)
        {
            if (!reader.Read()) return false;
            if (reader.TokenType == JsonTokenType.EndArray)
            {
                // What follows the result (warnings, closing braces) carries nothing we use.
                Done = true;
                return true;
            }

            if (reader.TokenType != JsonTokenType.StartObject) throw new FormatException($"a series must be an object, not {reader.TokenType}");
            var labels = new Dictionary<string, string>(StringComparer.Ordinal);
            var points = new List<(long, double)>();
            while (true)
            {
                if (!reader.Read()) return false;
                if (reader.TokenType == JsonTokenType.EndObject) break;
                var name = reader.GetString();
                if (!reader.Read()) return false;
                if (name == "metric" && reader.TokenType == JsonTokenType.StartObject)
                {
                    if (!ReadLabels(ref reader, labels)) return false;
                }
                else if (name == "values" && reader.TokenType == JsonTokenType.StartArray)
                {
                    if (!ReadPoints(ref reader, points)) return false;
                }
                else if (!reader.TrySkip())
                {
                    return false;
                }
            }

            onSeries(new PrometheusSeries(labels, points));
            Series++;
            return true;
        }

        private static bool ReadLabels(ref Utf8JsonReader reader, Dictionary<string, string> labels)
        {
            while (true)
            {
                if (!reader.Read()) return false;
                if (reader.TokenType == JsonTokenType.EndObject) return true;
                var name = reader.GetString()!;
                if (!reader.Read()) return false;
                labels[name] = reader.GetString() ?? "";
            }
        }

        /// <summary>Points are <c>[unix seconds, "value"]</c>; NaN (a division by an empty hour) is left out.</summary>
        private static bool ReadPoints(ref Utf8JsonReader reader, List<(long, double)> points)
        {
            while (true)
            {
                if (!reader.Read()) return false;
                if (reader.TokenType == JsonTokenType.EndArray) return true;
                if (reader.TokenType != JsonTokenType.StartArray) throw new FormatException("a point must be [time, \"value\"]");
                if (!reader.Read()) return false;
                var seconds = reader.GetDouble();
                if (!reader.Read()) return false;
                var text = reader.GetString() ?? "";
                if (!reader.Read()) return false;
                if (reader.TokenType != JsonTokenType.EndArray) throw new FormatException("a point must be [time, \"value\"]");
                if (!double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value))
                {
                    throw new FormatException($"the point value '{text}' is not a number");
                }

                if (double.IsFinite(value)) points.Add(((long)Math.Round(seconds * 1000), value));
            }
        }
    }
}
