using System.Globalization;

namespace Lvs.Admin.Output;

/// <summary>ipvsadm's print_largenum: the --stats columns.</summary>
internal static class NumberFormat
{
    /// <summary>
    /// Nine characters per number: below 100 million as is ("%9llu"), above that scaled to
    /// K (below 1 billion), M (below 100 billion), G (below 100 trillion) or T ("%8llu" plus
    /// the letter, truncating). With --exact the number is printed whole, right-aligned in
    /// 9 characters or in its length plus one.
    /// </summary>
    public static string LargeNumber(ulong value, bool exact)
    {
        string digits = value.ToString(CultureInfo.InvariantCulture);
        if (exact)
        {
            return digits.PadLeft(digits.Length <= 8 ? 9 : digits.Length + 1);
        }

        return value switch
        {
            < 100_000_000UL => digits.PadLeft(9),
            < 1_000_000_000UL => Scaled(value / 1_000UL, 'K'),
            < 100_000_000_000UL => Scaled(value / 1_000_000UL, 'M'),
            < 100_000_000_000_000UL => Scaled(value / 1_000_000_000UL, 'G'),
            _ => Scaled(value / 1_000_000_000_000UL, 'T'),
        };
    }

    private static string Scaled(ulong value, char unit) =>
        value.ToString(CultureInfo.InvariantCulture).PadLeft(8) + unit;
}
