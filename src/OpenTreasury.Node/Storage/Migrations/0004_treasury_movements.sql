-- PBOC: every movement of the treasury single account (国库单一账户), so its books show opening,
-- movements and closing per day. The balance in pboc_treasury is the sum of the opening and these rows,
-- kept in the same transaction; it can never go below zero (its CHECK in 0001).
--   clearing           2301 cleared (授权 and 直接), debit
--   allocation         5207 paid (实拨), debit
--   refund             2302 credited back (授权 and 直接支付退款), credit
--   allocation_refund  3208 credited back (实拨退款), credit
CREATE TABLE pboc_treasury_movements (
    id            INTEGER PRIMARY KEY,
    adm_div_code  TEXT    NOT NULL,
    st_year       INTEGER NOT NULL,
    business_date TEXT    NOT NULL,
    kind          TEXT    NOT NULL CHECK (kind IN ('clearing', 'allocation', 'refund', 'allocation_refund')),
    voucher_key   TEXT    NOT NULL,
    amount_fen    INTEGER NOT NULL CHECK (amount_fen > 0),
    balance_fen   INTEGER NOT NULL CHECK (balance_fen >= 0),
    recorded_at   TEXT    NOT NULL,
    UNIQUE (kind, voucher_key),
    FOREIGN KEY (adm_div_code, st_year) REFERENCES pboc_treasury (adm_div_code, st_year)
);
CREATE INDEX pboc_treasury_movements_by_day ON pboc_treasury_movements (adm_div_code, st_year, business_date);
CREATE TRIGGER pboc_treasury_movements_no_update BEFORE UPDATE ON pboc_treasury_movements BEGIN SELECT RAISE(ABORT, 'treasury movements are append-only'); END;
CREATE TRIGGER pboc_treasury_movements_no_delete BEFORE DELETE ON pboc_treasury_movements BEGIN SELECT RAISE(ABORT, 'treasury movements are append-only'); END;
