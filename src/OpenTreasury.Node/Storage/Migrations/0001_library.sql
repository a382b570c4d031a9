-- The voucher library (电子凭证库): every voucher this node made or received, every version.
CREATE TABLE vouchers (
    id            INTEGER PRIMARY KEY,
    origin        TEXT    NOT NULL CHECK (origin IN ('own', 'received')),
    sender        TEXT    NOT NULL,
    adm_div_code  TEXT    NOT NULL,
    st_year       INTEGER NOT NULL,
    vt_code       TEXT    NOT NULL,
    voucher_no    TEXT    NOT NULL,
    version       INTEGER NOT NULL CHECK (version >= 1),
    flag          INTEGER NOT NULL CHECK (flag IN (0, 1)),
    state         TEXT    NOT NULL CHECK (state IN ('draft', 'approved', 'signed', 'sent', 'voided',
                                                    'received', 'signed_for', 'refused', 'returned')),
    inner_xml     BLOB    NOT NULL,
    digest        TEXT    NOT NULL,
    amount_fen    INTEGER,
    vou_date      TEXT    NOT NULL,
    attach        TEXT    NOT NULL DEFAULT '',
    entered_by    TEXT,
    approved_by   TEXT,
    reason        TEXT,
    -- The budget unit the voucher concerns (its AgencyCode), if any: the scope of a unit's people.
    agency_code   TEXT,
    created_at    TEXT    NOT NULL,
    updated_at    TEXT    NOT NULL,
    UNIQUE (sender, adm_div_code, st_year, vt_code, voucher_no, version),
    CHECK (approved_by IS NULL OR approved_by <> entered_by)
);
CREATE INDEX vouchers_by_state ON vouchers (origin, state, vt_code);
CREATE INDEX vouchers_by_unit ON vouchers (agency_code, vt_code);

-- Stamps (signatures now, GB/T 38540 seals later) at named positions; bytes never change.
CREATE TABLE stamps (
    voucher_id INTEGER NOT NULL REFERENCES vouchers (id),
    position   TEXT    NOT NULL,
    der        BLOB    NOT NULL,
    signer     TEXT    NOT NULL,
    es_id      TEXT,
    signed_at  TEXT    NOT NULL,
    PRIMARY KEY (voucher_id, position)
);

-- Status of an own voucher per receiving party, with the standard codes (13, 0–5, 12, …).
CREATE TABLE deliveries (
    voucher_id INTEGER NOT NULL REFERENCES vouchers (id),
    receiver   TEXT    NOT NULL,
    status     INTEGER NOT NULL,
    reason     TEXT,
    updated_at TEXT    NOT NULL,
    PRIMARY KEY (voucher_id, receiver)
);

-- Messages to deliver, written in the same transaction as the state change that caused them.
CREATE TABLE outbox (
    id              INTEGER PRIMARY KEY,
    message_id      TEXT    NOT NULL UNIQUE,
    receiver        TEXT    NOT NULL,
    kind            TEXT    NOT NULL CHECK (kind IN ('voucher', 'status')),
    voucher_id      INTEGER REFERENCES vouchers (id),
    payload         BLOB    NOT NULL,
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_at TEXT    NOT NULL,
    delivered_at    TEXT,
    parked          INTEGER NOT NULL DEFAULT 0,
    last_error      TEXT,
    created_at      TEXT    NOT NULL
);
CREATE INDEX outbox_due ON outbox (delivered_at, parked, next_attempt_at);

-- The permanent inbox: one row per business key and version, with the content digest and the
-- answer given, so a repeat replays the answer and a changed repeat is caught.
CREATE TABLE inbox (
    sender       TEXT    NOT NULL,
    adm_div_code TEXT    NOT NULL,
    st_year      INTEGER NOT NULL,
    vt_code      TEXT    NOT NULL,
    voucher_no   TEXT    NOT NULL,
    version      INTEGER NOT NULL,
    digest       TEXT    NOT NULL,
    voucher_id   INTEGER REFERENCES vouchers (id),
    status       INTEGER NOT NULL CHECK (status IN (1, 2)),
    reason       TEXT,
    received_at  TEXT    NOT NULL,
    PRIMARY KEY (sender, adm_div_code, st_year, vt_code, voucher_no, version)
);

-- Messages refused without touching the inbox: conflicting repeats, stale versions, garbage.
CREATE TABLE rejected_messages (
    id          INTEGER PRIMARY KEY,
    sender      TEXT NOT NULL,
    subject     TEXT NOT NULL,
    digest      TEXT NOT NULL,
    code        TEXT NOT NULL,
    reason      TEXT NOT NULL,
    received_at TEXT NOT NULL
);

-- Status notices already applied (idempotence of status messages).
CREATE TABLE applied_notices (
    message_id TEXT PRIMARY KEY,
    applied_at TEXT NOT NULL
);

-- Append-only, hash-chained audit log (审计): each entry's hash covers the previous hash.
CREATE TABLE audit (
    seq       INTEGER PRIMARY KEY,
    at        TEXT NOT NULL,
    actor     TEXT NOT NULL,
    operation TEXT NOT NULL,
    subject   TEXT NOT NULL,
    detail    TEXT NOT NULL,
    prev_hash TEXT NOT NULL,
    hash      TEXT NOT NULL
);
CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;

-- People of this party, each with a personal certificate on a USBKey (tokens/<id>.usbkey).
CREATE TABLE users (
    id          TEXT PRIMARY KEY,
    name        TEXT NOT NULL,
    role        TEXT NOT NULL,
    agency_code TEXT,
    cert_serial TEXT,
    -- The personal certificate on the person's USBKey (DER): a login signature is checked against it.
    cert_der    BLOB,
    locked      INTEGER NOT NULL DEFAULT 0 CHECK (locked IN (0, 1)),
    created_at  TEXT
);

-- Electronic seals known to this node: its own (made by Finance, the seal maker) and those
-- filed with it (备案) by Finance so it can verify them; validity and revocation.
CREATE TABLE seals (
    es_id         TEXT PRIMARY KEY,
    seal_type     INTEGER NOT NULL,
    name          TEXT    NOT NULL,
    owner_party   TEXT    NOT NULL,
    agency_code   TEXT,
    holder_user   TEXT,
    der           BLOB    NOT NULL,
    valid_from    TEXT    NOT NULL,
    valid_to      TEXT    NOT NULL,
    revoked_at    TEXT,
    revoke_reason TEXT,
    filed_at      TEXT    NOT NULL
);

-- The seal maker's signed notices (filings 备案 and revocations) this node has taken from the
-- published folder, by their sequence number: each is applied once, in order.
CREATE TABLE seal_notices (
    sequence   INTEGER PRIMARY KEY,
    kind       TEXT NOT NULL CHECK (kind IN ('file', 'revoke')),
    es_id      TEXT NOT NULL,
    applied_at TEXT NOT NULL
);

-- Public seals granted to posts (岗位授权): who may have the seal server stamp with them.
CREATE TABLE seal_grants (
    es_id      TEXT NOT NULL REFERENCES seals (es_id),
    post       TEXT NOT NULL,
    granted_by TEXT NOT NULL,
    granted_at TEXT NOT NULL,
    PRIMARY KEY (es_id, post)
);

-- Agent bank: authorized-payment quota per unit × functional class (授权支付额度).
CREATE TABLE bank_quotas (
    adm_div_code  TEXT    NOT NULL,
    st_year       INTEGER NOT NULL,
    agency_code   TEXT    NOT NULL,
    exp_func_code TEXT    NOT NULL,
    issued_fen    INTEGER NOT NULL DEFAULT 0,
    paid_fen      INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (adm_div_code, st_year, agency_code, exp_func_code),
    CHECK (issued_fen >= 0 AND paid_fen >= 0 AND paid_fen <= issued_fen)
);

-- Agent bank: payments made from units' zero-balance accounts, and their clearing.
CREATE TABLE bank_payments (
    voucher_id          INTEGER NOT NULL REFERENCES vouchers (id),
    line                INTEGER NOT NULL,
    adm_div_code        TEXT    NOT NULL,
    st_year             INTEGER NOT NULL,
    voucher_no          TEXT    NOT NULL,
    agency_code         TEXT    NOT NULL,
    exp_func_code       TEXT    NOT NULL,
    amount_fen          INTEGER NOT NULL CHECK (amount_fen > 0),
    pay_date            TEXT    NOT NULL,
    business_no         TEXT    NOT NULL,
    clearing_voucher_no TEXT,
    cleared_date        TEXT,
    reported_in         TEXT,
    PRIMARY KEY (voucher_id, line)
);

-- PBOC: the bank's clearing quota per unit × functional class (清算额度), from 5106.
CREATE TABLE pboc_clearing_quotas (
    bank_code     TEXT    NOT NULL,
    adm_div_code  TEXT    NOT NULL,
    st_year       INTEGER NOT NULL,
    agency_code   TEXT    NOT NULL,
    exp_func_code TEXT    NOT NULL,
    issued_fen    INTEGER NOT NULL DEFAULT 0,
    cleared_fen   INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (bank_code, adm_div_code, st_year, agency_code, exp_func_code),
    CHECK (issued_fen >= 0 AND cleared_fen >= 0 AND cleared_fen <= issued_fen)
);

-- PBOC: each cleared transfer request, once (the treasury single account pays it).
CREATE TABLE pboc_clearings (
    bank_code     TEXT    NOT NULL,
    adm_div_code  TEXT    NOT NULL,
    st_year       INTEGER NOT NULL,
    voucher_no    TEXT    NOT NULL,
    amount_fen    INTEGER NOT NULL,
    cleared_date  TEXT    NOT NULL,
    PRIMARY KEY (bank_code, adm_div_code, st_year, voucher_no)
);

-- ===== 直接支付 (direct payment): 5201 / 5108 / 2301 type 11 / 2206 / 2209 =====

-- Agent bank: lines of Finance's 5201 it actually paid (a detail that failed is not here: it is
-- only in the 回单, with XPayAmt 0.00 and the reason), their 2301 (PayTypeCode 11), the 2209
-- credit notice and the 2206 daily report that carried them.
CREATE TABLE bank_direct_payments (
    voucher_id          INTEGER NOT NULL REFERENCES vouchers (id),
    line                INTEGER NOT NULL,
    adm_div_code        TEXT    NOT NULL,
    st_year             INTEGER NOT NULL,
    voucher_no          TEXT    NOT NULL,
    agency_code         TEXT    NOT NULL,
    exp_func_code       TEXT    NOT NULL,
    payee_acct_no       TEXT    NOT NULL,
    amount_fen          INTEGER NOT NULL CHECK (amount_fen > 0),
    pay_date            TEXT    NOT NULL,
    business_no         TEXT    NOT NULL,
    clearing_voucher_no TEXT,
    cleared_date        TEXT,
    noticed_in          TEXT,
    reported_in         TEXT,
    PRIMARY KEY (voucher_id, line)
);

-- PBOC: the bank's clearing quota for direct payments per unit × functional class (直接支付清算额度),
-- from 5108; a ledger of its own, apart from the 5106 one, drawn on only by 2301s of PayTypeCode 11.
CREATE TABLE pboc_direct_clearing_quotas (
    bank_code     TEXT    NOT NULL,
    adm_div_code  TEXT    NOT NULL,
    st_year       INTEGER NOT NULL,
    agency_code   TEXT    NOT NULL,
    exp_func_code TEXT    NOT NULL,
    issued_fen    INTEGER NOT NULL DEFAULT 0,
    cleared_fen   INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (bank_code, adm_div_code, st_year, agency_code, exp_func_code),
    CHECK (issued_fen >= 0 AND cleared_fen >= 0 AND cleared_fen <= issued_fen)
);

-- ===== end of 直接支付 =====

-- ── 实拨 allocation (5207, 3208) and the void-and-reissue chain ─────────────────────────────
-- Links between vouchers of this node: 'reissue' from a returned-and-voided voucher to the one
-- issued in its place under a new number; 'refund' from a paid 5207 to a 3208 refunding it.
CREATE TABLE voucher_links (
    from_voucher_id INTEGER NOT NULL REFERENCES vouchers (id),
    to_voucher_id   INTEGER NOT NULL REFERENCES vouchers (id),
    kind            TEXT    NOT NULL CHECK (kind IN ('reissue', 'refund')),
    created_at      TEXT    NOT NULL,
    PRIMARY KEY (from_voucher_id, to_voucher_id, kind),
    CHECK (from_voucher_id <> to_voucher_id)
);
CREATE UNIQUE INDEX voucher_links_one_reissue_from ON voucher_links (from_voucher_id) WHERE kind = 'reissue';
CREATE UNIQUE INDEX voucher_links_one_reissue_to ON voucher_links (to_voucher_id) WHERE kind = 'reissue';

-- PBOC: the treasury single account (国库单一账户) per division and year; never below zero.
CREATE TABLE pboc_treasury (
    adm_div_code TEXT    NOT NULL,
    st_year      INTEGER NOT NULL,
    opening_fen  INTEGER NOT NULL CHECK (opening_fen >= 0),
    balance_fen  INTEGER NOT NULL CHECK (balance_fen >= 0),
    opened_at    TEXT    NOT NULL,
    PRIMARY KEY (adm_div_code, st_year)
);

-- PBOC: each 5207 paid from the treasury account, once, with what was refunded of it since.
CREATE TABLE pboc_allocations (
    adm_div_code TEXT    NOT NULL,
    st_year      INTEGER NOT NULL,
    voucher_no   TEXT    NOT NULL,
    voucher_id   INTEGER NOT NULL REFERENCES vouchers (id),
    amount_fen   INTEGER NOT NULL CHECK (amount_fen > 0),
    refunded_fen INTEGER NOT NULL DEFAULT 0 CHECK (refunded_fen >= 0),
    pay_date     TEXT    NOT NULL,
    business_no  TEXT    NOT NULL,
    PRIMARY KEY (adm_div_code, st_year, voucher_no),
    CHECK (refunded_fen <= amount_fen)
);

-- PBOC: each 3208 allocation refund, once; the treasury account was credited with it.
CREATE TABLE pboc_allocation_refunds (
    adm_div_code   TEXT    NOT NULL,
    st_year        INTEGER NOT NULL,
    voucher_no     TEXT    NOT NULL,
    ori_voucher_no TEXT    NOT NULL,
    amount_fen     INTEGER NOT NULL CHECK (amount_fen > 0),
    reason         TEXT    NOT NULL,
    refund_date    TEXT    NOT NULL,
    PRIMARY KEY (adm_div_code, st_year, voucher_no),
    FOREIGN KEY (adm_div_code, st_year, ori_voucher_no) REFERENCES pboc_allocations (adm_div_code, st_year, voucher_no)
);

-- Finance: allocation refunds (3208) signed for, per original 5207; what may be allocated again.
CREATE TABLE finance_allocation_refunds (
    adm_div_code      TEXT    NOT NULL,
    st_year           INTEGER NOT NULL,
    voucher_no        TEXT    NOT NULL,
    ori_voucher_no    TEXT    NOT NULL,
    refund_voucher_id INTEGER NOT NULL REFERENCES vouchers (id),
    ori_voucher_id    INTEGER NOT NULL REFERENCES vouchers (id),
    amount_fen        INTEGER NOT NULL CHECK (amount_fen > 0),
    reason            TEXT    NOT NULL,
    booked_at         TEXT    NOT NULL,
    PRIMARY KEY (adm_div_code, st_year, voucher_no)
);
-- ── end of 实拨 allocation ──────────────────────────────────────────────────────────────────

-- ── 授权支付退款 / 直接支付退款 (2302, its 回单, 2204, 2208, 2203) ─────────────────────────────
-- Agent bank: money a payee returned on a paid and cleared line of an 8202 (pay_type 12, a row of
-- bank_payments) or a 5201 (pay_type 11, a row of bank_direct_payments), once per refund number;
-- the 2302 carries it to PBOC. credited_date is PBOC's XClearDate once its 回单 arrived (for 12,
-- the unit's quota is restored then, not before); notice_no and report_no name the 2204/2203 and 2208.
CREATE TABLE bank_refunds (
    adm_div_code     TEXT    NOT NULL,
    st_year          INTEGER NOT NULL,
    refund_no        TEXT    NOT NULL,
    pay_type         TEXT    NOT NULL CHECK (pay_type IN ('11', '12')),
    ori_voucher_id   INTEGER NOT NULL REFERENCES vouchers (id),
    ori_voucher_no   TEXT    NOT NULL,
    ori_line         INTEGER NOT NULL,
    agency_code      TEXT    NOT NULL,
    exp_func_code    TEXT    NOT NULL,
    amount_fen       INTEGER NOT NULL CHECK (amount_fen > 0),
    reason           TEXT    NOT NULL,
    refund_date      TEXT    NOT NULL,
    credited_date    TEXT,
    notice_no        TEXT,
    report_no        TEXT,
    cancelled_reason TEXT,  -- PBOC returned or refused the 2302: voided, no longer counts against the line
    PRIMARY KEY (adm_div_code, st_year, refund_no)
);
CREATE INDEX bank_refunds_by_line ON bank_refunds (ori_voucher_id, ori_line);

-- PBOC: each 2302 credited back, once; the matching clearing quota's cleared_fen went down by it
-- (pboc_clearing_quotas for 12, pboc_direct_clearing_quotas for 11), so cleared ≤ issued holds.
CREATE TABLE pboc_refunds (
    bank_code     TEXT    NOT NULL,
    adm_div_code  TEXT    NOT NULL,
    st_year       INTEGER NOT NULL,
    voucher_no    TEXT    NOT NULL,
    pay_type      TEXT    NOT NULL CHECK (pay_type IN ('11', '12')),
    amount_fen    INTEGER NOT NULL CHECK (amount_fen > 0),
    credited_date TEXT    NOT NULL,
    PRIMARY KEY (bank_code, adm_div_code, st_year, voucher_no)
);
-- ── end of refunds ──────────────────────────────────────────────────────────────────────────

-- ── 凭证对账 daily voucher statements (3501/3502 per voucher type, 4004/4005 per day) ──────────
-- Finance and each bank: every statement received from PBOC, checked against this node's own
-- library in the transaction that signed for it: balanced or not, and the mismatches found.
CREATE TABLE voucher_reconciliations (
    adm_div_code   TEXT    NOT NULL,
    st_year        INTEGER NOT NULL,
    vt_code        TEXT    NOT NULL CHECK (vt_code IN ('3501', '3502', '4004', '4005')),
    voucher_no     TEXT    NOT NULL,
    voucher_id     INTEGER NOT NULL REFERENCES vouchers (id),
    check_date     TEXT    NOT NULL,
    e_voucher_type TEXT,    -- the VtCode reconciled (3501/3502); NULL on a 4004/4005, which covers every type
    balanced       INTEGER NOT NULL CHECK (balanced IN (0, 1)),
    mismatch_count INTEGER NOT NULL CHECK (mismatch_count >= 0),
    mismatches     TEXT    NOT NULL,
    checked_at     TEXT    NOT NULL,
    PRIMARY KEY (adm_div_code, st_year, vt_code, voucher_no),
    CHECK ((balanced = 1) = (mismatch_count = 0))
);
-- ── end of 凭证对账 ─────────────────────────────────────────────────────────────────────────

-- ── 清算信息对账 clearing statements (3507) and their answers (5507 Finance, 2507 bank) ─────────
-- PBOC: each answer to a 3507 it sent, per statement and party, as recorded when signed for:
-- XCheckResult 0 every line matched / 1 some differ, and how many lines differ (XDiffNum).
CREATE TABLE pboc_clearing_reconciliations (
    adm_div_code   TEXT    NOT NULL,
    st_year        INTEGER NOT NULL,
    statement_no   TEXT    NOT NULL,
    party          TEXT    NOT NULL,
    vt_code        TEXT    NOT NULL CHECK (vt_code IN ('5507', '2507')),
    voucher_id     INTEGER NOT NULL REFERENCES vouchers (id),
    x_check_result INTEGER NOT NULL CHECK (x_check_result IN (0, 1)),
    x_diff_num     INTEGER NOT NULL CHECK (x_diff_num >= 0),
    recorded_at    TEXT    NOT NULL,
    PRIMARY KEY (adm_div_code, st_year, statement_no, party)
);
-- ── end of 清算信息对账 ─────────────────────────────────────────────────────────────────────

-- ── 账务处理 Finance's double-entry journal (FinanceJournal.cs, domain Ledgers/Journal.cs) ─────
-- Finance: one entry per source voucher event (voucher_ref, e.g. '5105:ED102202603', '8202:ZF-0001',
-- '5201:ZJ-0001', '5207:SB-0001', '2302:TK-0001', '3208:TH-0001'), so rereading the library never
-- posts twice; its postings balance (Σ debit = Σ credit, checked before the one transaction that writes them).
CREATE TABLE finance_journal (
    id                INTEGER PRIMARY KEY,
    entry_no          TEXT    NOT NULL UNIQUE,
    entry_date        TEXT    NOT NULL,
    voucher_ref       TEXT    NOT NULL UNIQUE,
    source_voucher_id INTEGER NOT NULL REFERENCES vouchers (id),
    posted_at         TEXT    NOT NULL
);

-- Each posting one-sided and non-negative: a debit or a credit, never both, never neither.
CREATE TABLE finance_postings (
    entry_id      INTEGER NOT NULL REFERENCES finance_journal (id),
    line          INTEGER NOT NULL CHECK (line >= 1),
    account       TEXT    NOT NULL,
    fund_type     TEXT    NOT NULL,
    agency_code   TEXT    NOT NULL,
    exp_func_code TEXT    NOT NULL,
    debit_fen     INTEGER NOT NULL CHECK (debit_fen >= 0),
    credit_fen    INTEGER NOT NULL CHECK (credit_fen >= 0),
    PRIMARY KEY (entry_id, line),
    CHECK ((debit_fen = 0) <> (credit_fen = 0))
);
-- ── end of 账务处理 ─────────────────────────────────────────────────────────────────────────
