-- People's contact data is sealed by q2c before it is written (store/sealed.go):
-- the email, name, phone and address columns below hold ciphertext from here
-- on, which the migration's Go step seals for rows already there. Exact-match
-- lookups (login by address, customer search) go through keyed hashes.
ALTER TABLE users ADD COLUMN email_hash TEXT;
ALTER TABLE customers ADD COLUMN email_hash TEXT NOT NULL DEFAULT '';
ALTER TABLE customers ADD COLUMN phone_hash TEXT NOT NULL DEFAULT '';
ALTER TABLE customer_contacts ADD COLUMN email_hash TEXT NOT NULL DEFAULT '';
ALTER TABLE customer_contacts ADD COLUMN phone_hash TEXT NOT NULL DEFAULT '';
CREATE UNIQUE INDEX users_email_hash ON users (email_hash);
CREATE INDEX customers_email_hash ON customers (email_hash);
CREATE INDEX customers_phone_hash ON customers (phone_hash);
CREATE INDEX customer_contacts_email_hash ON customer_contacts (email_hash);
CREATE INDEX customer_contacts_phone_hash ON customer_contacts (phone_hash);
