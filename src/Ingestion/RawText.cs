using System.Buffers;
using System.Text.Unicode;
using CloudSentinel.Core;

namespace CloudSentinel.Ingestion;

/// <summary>
/// The validator's free-text rule (<see cref="Names.CheckStorable"/> and a length limit in UTF-16
/// characters) answered on a JSON string's raw, unescaped UTF-8 bytes, so that a field that is only
/// checked is never made into a string. It only says yes when the validator would: anything it
/// cannot decide cheaply is a no, and the record is then read the slow way for its exact error.
/// </summary>
public static class RawText
{
    public static bool IsStorable(ReadOnlySpan<byte> utf8, int maxChars)
    {
        // At most 3 bytes make one UTF-16 character, so a longer value is certainly too long.
        if (utf8.Length > maxChars * 3) return false;
        var ascii = true;
        foreach (var b in utf8)
        {
            // Below 0x20 and 0x7F are control characters, NUL among them.
            if (b < 0x20 || b == 0x7F) return false;
            if (b >= 0x80) ascii = false;
        }

        if (ascii) return utf8.Length <= maxChars;
        Span<char> chars = stackalloc char[utf8.Length];
        if (Utf8.ToUtf16(utf8, chars, out _, out var written, replaceInvalidSequences: false) != OperationStatus.Done || written > maxChars) return false;
        // Valid UTF-8 never decodes to an unpaired surrogate; C1 controls (U+0080–U+009F) are still controls.
        foreach (var c in chars[..written])
        {
            if (char.IsControl(c)) return false;
        }

        return true;
    }
}
