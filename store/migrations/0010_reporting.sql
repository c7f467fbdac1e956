-- The reporting side: facts written in the same transaction as the document
-- they mirror (order lines, shipped lines, invoice lines), standard costs for
-- margin, a daily sales rollup kept up to date as facts are written, and
-- daily KPI snapshots. Reports read these, never the workflows' JSON.

ALTER TABLE products ADD COLUMN category TEXT NOT NULL DEFAULT '';
-- The sales rep who owns the account (a user ID); reps see their own
-- customers' figures only.
ALTER TABLE customers ADD COLUMN owner_id TEXT NOT NULL DEFAULT '';

-- Standard cost per unit, effective-dated like prices: a change is a new
-- row and ending one sets valid_to, so history is kept.
CREATE TABLE product_costs (
    id         TEXT PRIMARY KEY,
    sku        TEXT NOT NULL REFERENCES products(sku),
    currency   TEXT NOT NULL CHECK (length(currency) = 3),
    unit_cost  BIGINT NOT NULL CHECK (unit_cost >= 0),
    valid_from {{ts}} NOT NULL,
    valid_to   {{ts}},
    created_by TEXT NOT NULL,
    created_at {{ts}} NOT NULL,
    CHECK (valid_to IS NULL OR valid_to > valid_from)
);
CREATE INDEX product_costs_sku ON product_costs (sku, currency, valid_from);

-- One row per order line. Customer attributes (region, segment, rep) and
-- the product's category are copied when the order is placed, so a report
-- of last year does not move when a customer changes region today.
CREATE TABLE order_lines (
    order_id      TEXT NOT NULL,
    line_no       INTEGER NOT NULL,
    customer_id   TEXT NOT NULL,
    region        TEXT NOT NULL,
    segment       TEXT NOT NULL,
    rep_id        TEXT NOT NULL,
    sku           TEXT NOT NULL,
    category      TEXT NOT NULL,
    currency      TEXT NOT NULL CHECK (length(currency) = 3),
    qty           BIGINT NOT NULL CHECK (qty > 0),
    qty_filled    BIGINT,        -- reserved from stock when the order was placed (NULL until allocated)
    qty_shipped   BIGINT NOT NULL DEFAULT 0,
    qty_cancelled BIGINT NOT NULL DEFAULT 0,
    gross         BIGINT NOT NULL,
    discount      BIGINT NOT NULL,
    net           BIGINT NOT NULL,
    tax           BIGINT NOT NULL,
    unit_cost     BIGINT NOT NULL, -- standard cost when ordered
    ordered_at    {{ts}} NOT NULL,
    promised_at   {{ts}},          -- the date the quote promised
    shipped_at    {{ts}},          -- when the last unit shipped
    rev           INTEGER NOT NULL,
    PRIMARY KEY (order_id, line_no)
);
CREATE INDEX order_lines_ordered ON order_lines (ordered_at);
CREATE INDEX order_lines_customer ON order_lines (customer_id, ordered_at);

-- One row per shipped line and warehouse it left from.
CREATE TABLE shipment_lines (
    shipment_id    TEXT NOT NULL,
    line_no        INTEGER NOT NULL,
    warehouse_code TEXT NOT NULL,
    order_id       TEXT NOT NULL,
    customer_id    TEXT NOT NULL,
    sku            TEXT NOT NULL,
    qty            BIGINT NOT NULL CHECK (qty > 0),
    shipped_at     {{ts}} NOT NULL,
    PRIMARY KEY (shipment_id, line_no, warehouse_code)
);
CREATE INDEX shipment_lines_order ON shipment_lines (order_id, line_no);

-- One row per billed line; amounts are the invoice's own.
CREATE TABLE invoice_lines (
    invoice_id     TEXT NOT NULL,
    line_no        INTEGER NOT NULL,
    order_id       TEXT NOT NULL,
    customer_id    TEXT NOT NULL,
    region         TEXT NOT NULL,
    segment        TEXT NOT NULL,
    rep_id         TEXT NOT NULL,
    sku            TEXT NOT NULL,
    category       TEXT NOT NULL,
    warehouse_code TEXT NOT NULL, -- where the units left from ('' when several)
    currency       TEXT NOT NULL CHECK (length(currency) = 3),
    qty            BIGINT NOT NULL,
    gross          BIGINT NOT NULL,
    discount       BIGINT NOT NULL,
    net            BIGINT NOT NULL,
    tax            BIGINT NOT NULL,
    total          BIGINT NOT NULL,
    unit_cost      BIGINT NOT NULL, -- standard cost when invoiced
    issued_at      {{ts}} NOT NULL,
    PRIMARY KEY (invoice_id, line_no)
);
CREATE INDEX invoice_lines_issued ON invoice_lines (issued_at);

-- Sales per day (in the report time zone), one row per grouping dimension
-- and value, so a report by month and region reads a few thousand rows, not
-- a million lines. Each value has a row for all accounts (rep_id '') and
-- one for its rep's accounts, so a rep's report reads as little. Every fact
-- adds to it in the fact's own transaction.
CREATE TABLE sales_daily (
    dim      TEXT NOT NULL,   -- product, category, region, segment, customer, rep, warehouse
    rep_id   TEXT NOT NULL,   -- '' for every account, else that rep's accounts only
    day      TEXT NOT NULL,   -- YYYY-MM-DD
    kind     TEXT NOT NULL,   -- booked (ordered) or invoiced (revenue)
    value    TEXT NOT NULL,
    currency TEXT NOT NULL,
    lines    BIGINT NOT NULL,
    qty      BIGINT NOT NULL,
    net      BIGINT NOT NULL,
    cost     BIGINT NOT NULL,
    PRIMARY KEY (dim, rep_id, day, kind, value, currency)
);

-- The days a SKU was booked or invoiced with no standard cost, so a report
-- can say whose margin is its whole net without reading the lines.
CREATE TABLE uncosted_sales (
    day TEXT NOT NULL,
    sku TEXT NOT NULL,
    PRIMARY KEY (day, sku)
);

-- The day and zone the rollup and snapshots were cut in; a change of zone
-- rebuilds them from the facts.
CREATE TABLE report_settings (
    name  TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

-- Daily KPIs as numerator and denominator, so a period's rate is exact
-- (sum of numerators over sum of denominators). Point-in-time figures
-- (open backorder value, DSO) have den = 0 and are read at a period's end.
CREATE TABLE kpi_daily (
    day      TEXT NOT NULL,
    metric   TEXT NOT NULL,
    currency TEXT NOT NULL DEFAULT '',
    num      BIGINT NOT NULL,
    den      BIGINT NOT NULL,
    taken_at {{ts}} NOT NULL,
    PRIMARY KEY (day, metric, currency)
);

-- Quotes: when approval was needed and given, and when the quote became an
-- order, for the funnel.
ALTER TABLE quotes ADD COLUMN needs_approval BOOLEAN NOT NULL DEFAULT false;
ALTER TABLE quotes ADD COLUMN approved_at {{ts}};
ALTER TABLE quotes ADD COLUMN accepted_at {{ts}};
CREATE INDEX quotes_created ON quotes (created_at);

-- Credit spent: unused over-payments are applied to the customer's next
-- invoice in the same currency when it is issued (recorded there as a
-- payment by credit). A customer's credit is what credits hold less this.
CREATE TABLE credit_applications (
    invoice_id  TEXT PRIMARY KEY,
    customer_id TEXT NOT NULL REFERENCES customers(id),
    currency    TEXT NOT NULL CHECK (length(currency) = 3),
    amount      BIGINT NOT NULL CHECK (amount > 0),
    created_at  {{ts}} NOT NULL
);
CREATE INDEX credit_applications_customer ON credit_applications (customer_id, currency);

-- AR aging of today reads the open invoices alone, from this index (an
-- index-only scan once vacuumed) rather than the whole invoices table.
CREATE INDEX invoices_open_aging ON invoices (customer_id, currency, due_at, total, paid, issued_at)
    WHERE status IN ('open', 'partially_paid', 'overdue');
