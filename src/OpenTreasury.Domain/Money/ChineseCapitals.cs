using System.Text;

namespace OpenTreasury.Domain.Money;

/// <summary>
/// Writes amounts in Chinese capitals (大写金额) by the rules of 《支付结算办法》: one 零 for a run of
/// zeros between digits, 零 after 元 when the 元 place or 角 is zero but a lower place is not (the
/// harder-to-alter form), 整 after 元 or 角 when nothing follows, never after 分.
/// </summary>
public static class ChineseCapitals
{
    private const string Digits = "零壹贰叁肆伍陆柒捌玖";
    private static readonly string[] SmallUnits = ["", "拾", "佰", "仟"];
    private static readonly string[] GroupUnits = ["", "万", "亿", "万亿"];

    public static string Format(Amount amount)
    {
        var fen = Math.Abs(amount.Fen);
        var yuan = fen / 100;
        var jiao = (int)(fen / 10 % 10);
        var fenDigit = (int)(fen % 10);
        var text = new StringBuilder();
        if (amount.IsNegative)
        {
            text.Append('负');
        }

        if (yuan == 0 && jiao == 0 && fenDigit == 0)
        {
            return text.Append("零元整").ToString();
        }

        if (yuan > 0)
        {
            AppendInteger(text, yuan);
            text.Append('元');
        }

        if (jiao == 0 && fenDigit == 0)
        {
            return text.Append('整').ToString();
        }

        // 零 after 元 when the 元 place is zero (…拾元零叁角) or 角 is zero (…元零贰分).
        if (yuan > 0 && (yuan % 10 == 0 || jiao == 0))
        {
            text.Append('零');
        }

        if (jiao > 0)
        {
            text.Append(Digits[jiao]).Append('角');
        }

        if (fenDigit > 0)
        {
            text.Append(Digits[fenDigit]).Append('分');
        }
        else
        {
            text.Append('整');
        }

        return text.ToString();
    }

    // Groups of four digits (个, 万, 亿, 万亿). A run of zeros between digits is written as one 零,
    // except a lone zero in the 万 or 亿 place before a non-zero 仟, where the regulation's first form
    // leaves it out (107000.53 → 壹拾万柒仟元…).
    private static void AppendInteger(StringBuilder text, long value)
    {
        var groups = new List<int>();
        while (value > 0)
        {
            groups.Add((int)(value % 10_000));
            value /= 10_000;
        }

        var started = false;
        var zeroRun = 0;
        var runStartsAtGroupUnit = false;
        for (var g = groups.Count - 1; g >= 0; g--)
        {
            for (var place = 3; place >= 0; place--)
            {
                var digit = groups[g] / Pow10(place) % 10;
                if (digit == 0)
                {
                    if (started)
                    {
                        runStartsAtGroupUnit = zeroRun == 0 ? place == 0 && g > 0 : runStartsAtGroupUnit;
                        zeroRun++;
                    }

                    continue;
                }

                var loneGroupUnitZero = zeroRun == 1 && runStartsAtGroupUnit && place == 3;
                if (zeroRun > 0 && !loneGroupUnitZero)
                {
                    text.Append('零');
                }

                zeroRun = 0;
                text.Append(Digits[digit]).Append(SmallUnits[place]);
                started = true;
            }

            if (groups[g] != 0 && g > 0)
            {
                text.Append(GroupUnits[g]);
            }
        }
    }

    private static int Pow10(int place) => place switch { 0 => 1, 1 => 10, 2 => 100, _ => 1000 };
}
