-- Finance: budget indicators (预算指标) above quota, per unit × functional class × fund type. A quota plan
-- (用款计划, the 5105/5106 of a month) draws on its indicator; planned can never pass the indicator.
CREATE TABLE finance_indicators (
    adm_div_code   TEXT    NOT NULL,
    st_year        INTEGER NOT NULL,
    agency_code    TEXT    NOT NULL,
    exp_func_code  TEXT    NOT NULL,
    fund_type_code TEXT    NOT NULL,
    amount_fen     INTEGER NOT NULL CHECK (amount_fen > 0),
    planned_fen    INTEGER NOT NULL DEFAULT 0 CHECK (planned_fen >= 0),
    PRIMARY KEY (adm_div_code, st_year, agency_code, exp_func_code, fund_type_code),
    CHECK (planned_fen <= amount_fen)
);

-- Each indicator as entered and approved (指标下达 and 追加), and each quota plan that drew on one.
CREATE TABLE finance_indicator_moves (
    id             INTEGER PRIMARY KEY,
    adm_div_code   TEXT    NOT NULL,
    st_year        INTEGER NOT NULL,
    agency_code    TEXT    NOT NULL,
    exp_func_code  TEXT    NOT NULL,
    fund_type_code TEXT    NOT NULL,
    kind           TEXT    NOT NULL CHECK (kind IN ('indicator', 'plan')),
    reference      TEXT    NOT NULL,
    amount_fen     INTEGER NOT NULL CHECK (amount_fen > 0),
    entered_by     TEXT    NOT NULL,
    approved_by    TEXT    NOT NULL,
    recorded_at    TEXT    NOT NULL,
    UNIQUE (kind, reference, agency_code, exp_func_code, fund_type_code),
    CHECK (entered_by <> approved_by)
);
CREATE TRIGGER finance_indicator_moves_no_update BEFORE UPDATE ON finance_indicator_moves BEGIN SELECT RAISE(ABORT, 'indicator moves are append-only'); END;
CREATE TRIGGER finance_indicator_moves_no_delete BEFORE DELETE ON finance_indicator_moves BEGIN SELECT RAISE(ABORT, 'indicator moves are append-only'); END;
