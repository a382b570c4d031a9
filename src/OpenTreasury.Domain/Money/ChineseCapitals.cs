using System.Text;

namespace OpenTreasury.Domain.Money;

/// <summary>
/// Writes amounts in Chinese capitals (大写金额) by the rules of 《支付结算办法》: one 零 for a run of
/// zeros between digits, 零 after 元 when the 元 place or 角 is zero but a lower place is not (the
/// harder-to-alter form), 整 after 元 when nothing follows, never after 角 or 分.
/// </summary>
public static class ChineseCapitals
{
    private const string Digits = "零壹贰叁肆伍陆柒捌玖";
    private static readonly string[] SmallUnits = ["", "拾", "佰", "仟"];

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

        // The regulation's example 1409.50 → 壹仟肆佰零玖元伍角 prints no 整 after 角 (it "may be
        // omitted"), and 整 never follows 分, so nothing more is written here.
        if (fenDigit > 0)
        {
            text.Append(Digits[fenDigit]).Append('分');
        }

        return text.ToString();
    }

    // Digits from the highest place down; place 0 is 元. Every fourth place closes a group: 万 (4),
    // 亿 (8), 万 again (12, read 万亿 together with the 亿 that follows). A run of zeros between digits is
    // written as one 零, except a lone zero in the 万 or 亿 place before a non-zero 仟, where the
    // regulation's first form leaves it out (107000.53 → 壹拾万柒仟元…).
    private static void AppendInteger(StringBuilder text, long value)
    {
        var digits = value.ToString(System.Globalization.CultureInfo.InvariantCulture);
        var zeroRun = 0;
        var runStartsAtGroupUnit = false;
        var groupHasDigit = false;
        for (var i = 0; i < digits.Length; i++)
        {
            var place = digits.Length - 1 - i;
            var digit = digits[i] - '0';
            if (digit == 0)
            {
                // The first digit is never 0, so a zero always follows a written digit.
                runStartsAtGroupUnit = zeroRun == 0 ? place % 4 == 0 && place > 0 : runStartsAtGroupUnit;
                zeroRun++;
            }
            else
            {
                var loneGroupUnitZero = zeroRun == 1 && runStartsAtGroupUnit && place % 4 == 3;
                if (zeroRun > 0 && !loneGroupUnitZero)
                {
                    text.Append('零');
                }

                zeroRun = 0;
                text.Append(Digits[digit]).Append(SmallUnits[place % 4]);
                groupHasDigit = true;
            }

            if (place % 4 == 0 && place > 0)
            {
                // 亿 closes everything above it, so it is written even when its own group is zero
                // (壹万亿); a 万 is written only for a group with a digit (壹亿零伍元, not 壹亿万零伍元).
                if (place == 8)
                {
                    text.Append('亿');
                }
                else if (groupHasDigit)
                {
                    text.Append('万');
                }

                groupHasDigit = false;
            }
        }
    }
}
