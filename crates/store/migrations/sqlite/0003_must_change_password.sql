-- A password someone else chose (an admin's reset, a one-time password printed at creation) must
-- be changed by its user before anything else.
ALTER TABLE users ADD COLUMN must_change_password INTEGER NOT NULL DEFAULT 0;
