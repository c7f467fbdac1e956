-- Customer service tickets: a problem or question from a customer or about
-- one, linked to what it concerns, with a first-response target (a durable
-- timer in the ticket's workflow escalates it to the service managers when
-- missed) and a thread of comments, each internal or visible to the
-- customer. The ticket's workflow writes both tables.
CREATE TABLE tickets (
    id                TEXT PRIMARY KEY,
    customer_id       TEXT NOT NULL REFERENCES customers(id),
    subject           TEXT NOT NULL,
    status            TEXT NOT NULL,
    priority          TEXT NOT NULL,
    link_kind         TEXT NOT NULL DEFAULT '',
    link_id           TEXT NOT NULL DEFAULT '',
    opened_by         TEXT NOT NULL,
    from_customer     BOOLEAN NOT NULL,
    assignee          TEXT NOT NULL DEFAULT '',
    rev               INTEGER NOT NULL,
    response_due_at   {{ts}} NOT NULL,
    first_response_at {{ts}},
    escalated_at      {{ts}},
    created_at        {{ts}} NOT NULL,
    updated_at        {{ts}} NOT NULL
);
CREATE INDEX tickets_status ON tickets (status, created_at);
CREATE INDEX tickets_customer ON tickets (customer_id, created_at);

CREATE TABLE ticket_comments (
    id          TEXT PRIMARY KEY,
    ticket_id   TEXT NOT NULL REFERENCES tickets(id),
    author      TEXT NOT NULL,
    author_name TEXT NOT NULL DEFAULT '',
    from_staff  BOOLEAN NOT NULL,
    visible     BOOLEAN NOT NULL,
    body        TEXT NOT NULL,
    created_at  {{ts}} NOT NULL
);
CREATE INDEX ticket_comments_ticket ON ticket_comments (ticket_id, created_at);
