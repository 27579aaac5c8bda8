-- Up Migration

-- The customer store the rules engine reads (schema customer_store, owned by snoop-scheduler): one row per customer
-- with what the rules call profile, balances and salary, and their transactions. Ages and tenures are stored as
-- dates, so they are right on any evaluation day.
CREATE TABLE customers (
  customer_id        text PRIMARY KEY CHECK (length(customer_id) BETWEEN 1 AND 128),
  date_of_birth      date NOT NULL,
  joined_on          date NOT NULL,
  region             text NOT NULL,
  employment_status  text NOT NULL,
  credit_score       integer NOT NULL CHECK (credit_score BETWEEN 0 AND 999),
  is_homeowner       boolean NOT NULL,
  has_overdraft      boolean NOT NULL,
  balance_current    numeric(14, 2) NOT NULL,
  balance_savings    numeric(14, 2) NOT NULL CHECK (balance_savings >= 0),
  overdraft_limit    numeric(14, 2) NOT NULL CHECK (overdraft_limit >= 0),
  overdraft_used     numeric(14, 2) NOT NULL CHECK (overdraft_used >= 0),
  credit_card_debt   numeric(14, 2) NOT NULL CHECK (credit_card_debt >= 0),
  salary_monthly_net numeric(14, 2) NOT NULL CHECK (salary_monthly_net >= 0),
  payday_of_month    smallint NOT NULL CHECK (payday_of_month BETWEEN 1 AND 31),
  -- The nightly run pages through eligible customers only.
  eligible           boolean NOT NULL DEFAULT true
);

CREATE INDEX customers_eligible ON customers (customer_id) WHERE eligible;

-- Clustered by customer then date in the primary key's index: a customer's transactions since a day are one range
-- of one index, and many customers' are one index scan per customer in a single query.
CREATE TABLE transactions (
  customer_id    text NOT NULL REFERENCES customers ON DELETE CASCADE,
  booked_on      date NOT NULL,
  transaction_id bigint NOT NULL,
  amount         numeric(14, 2) NOT NULL CHECK (amount > 0),
  direction      text NOT NULL CHECK (direction IN ('in', 'out')),
  category       text NOT NULL,
  merchant       text NOT NULL,
  PRIMARY KEY (customer_id, booked_on, transaction_id)
);

-- Down Migration

DROP TABLE transactions;
DROP TABLE customers;
