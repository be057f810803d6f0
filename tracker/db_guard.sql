-- The ledger's rules, enforced by PostgreSQL itself (see tracker/db_guard.py).
--
-- Installed by the owner of the tables, in the ledger's schema (@SCHEMA@ below). Every
-- function runs with search_path pinned to that schema, pg_temp last, so that nobody can
-- slip their own objects under the names it uses.
--
-- Who is acting is session_user, the database login: SET ROLE cannot change it. A login is
-- matched to the account of the same name; its role and units decide what it may write.
-- A superuser (the DBA, the test suite) is not checked: it could switch any of this off.

-- The key of the audit chain. Nobody but the owner may read it, or lock its row, which
-- chain writers take in turns.
CREATE TABLE IF NOT EXISTS audit_key (
    id integer PRIMARY KEY CHECK (id = 1),
    ipad bytea NOT NULL,         -- HMAC-SHA256's inner and outer padded key
    opad bytea NOT NULL,
    keyed_from integer NOT NULL  -- the first entry the database wrote (and keyed)
);
REVOKE ALL ON audit_key FROM PUBLIC;

-- No passwords on a shared ledger: its officers sign in with their database logins, whose
-- passwords the server keeps. `tracker users passwd` refuses here, and this keeps the
-- columns of revision 0007 empty even for the owner or a superuser: every login may read
-- the account table, and a hash there would be anyone's to attack offline. Added once the
-- columns exist (revision 0007 installs the guards again).
DO $$
BEGIN
    IF EXISTS (SELECT 1 FROM information_schema.columns
               WHERE table_schema = current_schema() AND table_name = 'account'
                 AND column_name = 'password_hash')
       AND NOT EXISTS (SELECT 1 FROM pg_constraint
                       WHERE conrelid = 'account'::regclass
                         AND conname = 'account_no_password') THEN
        ALTER TABLE account ADD CONSTRAINT account_no_password
            CHECK (password_hash IS NULL AND password_set_at IS NULL);
    END IF;
END $$;

-- --- Who is acting ----------------------------------------------------------------------

CREATE OR REPLACE FUNCTION tracker_superuser() RETURNS boolean
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = @SCHEMA@, pg_temp AS $$
    SELECT coalesce((SELECT rolsuper FROM pg_roles WHERE rolname = session_user), false)
$$;

-- The rank of session_user's account: 3 admin, 2 supervisor, 1 officer, 0 none or disabled.
CREATE OR REPLACE FUNCTION tracker_rank() RETURNS integer
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = @SCHEMA@, pg_temp AS $$
    SELECT coalesce((
        SELECT CASE role WHEN 'admin' THEN 3 WHEN 'supervisor' THEN 2 WHEN 'officer' THEN 1
                         ELSE 0 END
        FROM account WHERE name = session_user AND disabled_at IS NULL), 0)
$$;

-- Who the audit names for a change whose row does not say: the login; a superuser acting
-- for someone says who in the setting tracker.actor (tracker.services.audit sets it).
CREATE OR REPLACE FUNCTION tracker_actor() RETURNS text
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = @SCHEMA@, pg_temp AS $$
    SELECT CASE WHEN tracker_superuser()
                THEN coalesce(nullif(current_setting('tracker.actor', true), ''), '?')
                ELSE session_user::text END
$$;

-- A refusal: SQLSTATE 42501 and a message tracker.db_errors turns into the officer's line.
CREATE OR REPLACE FUNCTION tracker_refuse(reason text) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'tracker:%', reason USING ERRCODE = '42501';
END $$;

-- session_user's account is at least `needed`. An empty ledger (no account yet) may be
-- written by its owner only: whoever runs `tracker init` becomes its admin.
CREATE OR REPLACE FUNCTION tracker_require(needed integer) RETURNS void
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = @SCHEMA@, pg_temp AS $$
DECLARE
    rank integer;
BEGIN
    IF tracker_superuser() THEN
        RETURN;
    END IF;
    IF NOT EXISTS (SELECT 1 FROM account) THEN
        IF session_user = current_user THEN
            RETURN;
        END IF;
        PERFORM tracker_refuse('no_account');
    END IF;
    rank := tracker_rank();
    IF rank = 0 THEN
        PERFORM tracker_refuse('no_account');
    ELSIF rank < needed THEN
        PERFORM tracker_refuse(CASE needed WHEN 3 THEN 'needs_admin' ELSE 'needs_supervisor' END);
    END IF;
END $$;

-- Whether session_user may do what an admin may (tracker_require(3) would pass).
CREATE OR REPLACE FUNCTION tracker_admin() RETURNS boolean
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = @SCHEMA@, pg_temp AS $$
    SELECT tracker_superuser() OR tracker_rank() >= 3
        OR (session_user = current_user AND NOT EXISTS (SELECT 1 FROM account))
$$;

-- session_user may change the item: a supervisor or admin, or an officer of its unit or of
-- a co-operating unit of it or of the commitment it is a period or village of.
CREATE OR REPLACE FUNCTION tracker_require_item(target_id integer) RETURNS void
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = @SCHEMA@, pg_temp AS $$
BEGIN
    PERFORM tracker_require(1);
    IF tracker_superuser() OR tracker_rank() >= 2 OR NOT EXISTS (SELECT 1 FROM account) THEN
        RETURN;
    END IF;
    IF NOT EXISTS (
        SELECT 1
        FROM commitment c
        JOIN account a ON a.name = session_user
        JOIN accountunit mine ON mine.account_id = a.id
        WHERE c.id = target_id
          AND (mine.unit_id = c.unit_id
               OR mine.unit_id IN (SELECT unit_id FROM counit
                                   WHERE commitment_id IN (c.id, c.parent_id)))
    ) THEN
        PERFORM tracker_refuse('not_your_unit');
    END IF;
END $$;

-- A row that names who did it names session_user (nobody signs for someone else).
CREATE OR REPLACE FUNCTION tracker_require_self(named text) RETURNS void
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = @SCHEMA@, pg_temp AS $$
BEGIN
    IF NOT tracker_superuser() AND named IS DISTINCT FROM session_user::text THEN
        PERFORM tracker_refuse('not_you');
    END IF;
END $$;

-- --- Guards: checked before every row is written ---------------------------------------

-- Accounts, their units, the roster, the report's structure: the admin's.
CREATE OR REPLACE FUNCTION tracker_guard_admin() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = @SCHEMA@, pg_temp AS $$
BEGIN
    PERFORM tracker_require(3);
    RETURN CASE WHEN TG_OP = 'DELETE' THEN OLD ELSE NEW END;
END $$;

-- People: an admin's, except that whoever acts is named in it the first time they do.
CREATE OR REPLACE FUNCTION tracker_guard_person() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = @SCHEMA@, pg_temp AS $$
BEGIN
    IF TG_OP = 'INSERT' AND NEW.name = session_user::text AND NEW.unit_id IS NULL
       AND NEW.title IS NULL THEN
        PERFORM tracker_require(1);
    ELSE
        PERFORM tracker_require(3);
    END IF;
    RETURN CASE WHEN TG_OP = 'DELETE' THEN OLD ELSE NEW END;
END $$;

-- A report: the admin's, except how far its periods have been made (any account's command
-- makes the periods of a year that has begun).
CREATE OR REPLACE FUNCTION tracker_guard_report() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = @SCHEMA@, pg_temp AS $$
BEGIN
    IF TG_OP = 'UPDATE'
       AND (to_jsonb(NEW) - 'instances_through') = (to_jsonb(OLD) - 'instances_through')
       AND NEW.instances_through >= coalesce(OLD.instances_through, NEW.instances_through) THEN
        PERFORM tracker_require(1);
    ELSE
        PERFORM tracker_require(3);
    END IF;
    RETURN CASE WHEN TG_OP = 'DELETE' THEN OLD ELSE NEW END;
END $$;

-- A commitment: what it is (title, unit, kind, schedule…) is the admin's; its work
-- (status, deadline as the schedule moves it, notes) is its units'; 销号 and its undoing
-- and an extended deadline are a supervisor's. Any account may add the periods of a year.
CREATE OR REPLACE FUNCTION tracker_guard_commitment() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = @SCHEMA@, pg_temp AS $$
DECLARE
    work constant text[] := ARRAY['status', 'due', 'stated_due', 'notes', 'version',
                                  'extended_due'];
    parent commitment%ROWTYPE;
BEGIN
    IF TG_OP = 'DELETE' THEN
        PERFORM tracker_require(3);
        RETURN OLD;
    END IF;
    IF TG_OP = 'INSERT' THEN
        IF NEW.parent_id IS NULL OR tracker_admin() THEN
            PERFORM tracker_require(3);
            RETURN NEW;
        END IF;
        PERFORM tracker_require(1);
        SELECT * INTO parent FROM commitment WHERE id = NEW.parent_id;
        IF NEW.period_key IS NULL OR NEW.status <> 'todo' OR NEW.extended_due IS NOT NULL
           OR NEW.report_id IS DISTINCT FROM parent.report_id
           OR NEW.unit_id IS DISTINCT FROM parent.unit_id THEN
            PERFORM tracker_refuse('needs_admin');
        END IF;
        RETURN NEW;
    END IF;
    IF (to_jsonb(NEW) - work) IS DISTINCT FROM (to_jsonb(OLD) - work) THEN
        PERFORM tracker_require(3);
        RETURN NEW;
    END IF;
    PERFORM tracker_require_item(NEW.id);
    IF NEW.extended_due IS DISTINCT FROM OLD.extended_due
       OR (NEW.status = 'verified') <> (OLD.status = 'verified') THEN
        PERFORM tracker_require(2);
    END IF;
    RETURN NEW;
END $$;

-- History is appended by who acts, on items they may change; the seed's own state and the
-- roster's rows are the admin's; 销号 is a supervisor's.
CREATE OR REPLACE FUNCTION tracker_guard_history() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = @SCHEMA@, pg_temp AS $$
BEGIN
    PERFORM tracker_require_self(NEW.changed_by);
    IF NEW.kind = 'seed' OR NEW.commitment_id IS NULL THEN
        PERFORM tracker_require(3);
    ELSE
        PERFORM tracker_require_item(NEW.commitment_id);
        IF NEW.kind IN ('status', 'auto_status')
           AND (NEW.new = 'verified' OR NEW.old = 'verified') THEN
            PERFORM tracker_require(2);
        END IF;
    END IF;
    RETURN NEW;
END $$;

-- An event is recorded by who acts; afterwards only its void (作废) may be added, once.
CREATE OR REPLACE FUNCTION tracker_guard_event() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = @SCHEMA@, pg_temp AS $$
DECLARE
    void constant text[] := ARRAY['voided_on', 'voided_by', 'voided_at', 'void_reason'];
BEGIN
    IF TG_OP = 'INSERT' THEN
        PERFORM tracker_require_self(NEW.recorded_by);
        IF NEW.voided_on IS NOT NULL THEN
            PERFORM tracker_refuse('recorded');
        END IF;
    ELSE
        IF (to_jsonb(NEW) - void) IS DISTINCT FROM (to_jsonb(OLD) - void)
           OR OLD.voided_on IS NOT NULL THEN
            PERFORM tracker_refuse('recorded');
        END IF;
        PERFORM tracker_require_self(NEW.voided_by);
    END IF;
    PERFORM tracker_require_item(NEW.commitment_id);
    RETURN NEW;
END $$;

CREATE OR REPLACE FUNCTION tracker_guard_evidence() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = @SCHEMA@, pg_temp AS $$
BEGIN
    PERFORM tracker_require_item((SELECT commitment_id FROM event WHERE id = NEW.event_id));
    RETURN NEW;
END $$;

-- An extension is asked for by who acts, pending; only a supervisor decides it, once.
CREATE OR REPLACE FUNCTION tracker_guard_extension() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = @SCHEMA@, pg_temp AS $$
DECLARE
    decision constant text[] := ARRAY['state', 'decided_by', 'decided_at', 'decision_note'];
BEGIN
    IF TG_OP = 'INSERT' THEN
        PERFORM tracker_require_self(NEW.requested_by);
        IF NEW.state <> 'pending' OR NEW.decided_by IS NOT NULL THEN
            PERFORM tracker_refuse('recorded');
        END IF;
    ELSE
        IF (to_jsonb(NEW) - decision) IS DISTINCT FROM (to_jsonb(OLD) - decision)
           OR OLD.state <> 'pending' THEN
            PERFORM tracker_refuse('recorded');
        END IF;
        PERFORM tracker_require(2);
        PERFORM tracker_require_self(NEW.decided_by);
    END IF;
    PERFORM tracker_require_item(NEW.commitment_id);
    RETURN NEW;
END $$;

-- --- The audit chain, written by the database ------------------------------------------

-- HMAC-SHA256 of an entry (RFC 2104 with the pads kept in audit_key), over the previous
-- hash, a newline and a JSON array of the entry's content: unambiguous, whatever it holds.
CREATE OR REPLACE FUNCTION tracker_audit_hash(
    ipad bytea, opad bytea, prev text, id integer, at timestamptz, actor text, action text,
    target text, detail text
) RETURNS text
LANGUAGE sql STABLE SET search_path = @SCHEMA@, pg_temp AS $$
    SELECT encode(sha256(opad || sha256(ipad || convert_to(
        prev || E'\n' || jsonb_build_array(
            id, to_char(at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS'), actor, action,
            target, detail)::text,
        'UTF8'))), 'hex')
$$;

-- Append one entry. The key's row is locked until the transaction ends: chain writers take
-- turns, and only at commit (the triggers below are deferred), so the lock is held briefly.
-- Nobody but the owner can take that lock, unlike an advisory lock. The row is locked, not
-- updated: a transaction writing thousands of entries would otherwise pile up as many
-- versions of it, each one slower to find. The previous entry is read by its primary key
-- (under READ COMMITTED each statement sees what the writer before us committed).
CREATE OR REPLACE FUNCTION tracker_audit_write(actor text, action text, target text,
                                               detail jsonb) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = @SCHEMA@, pg_temp AS $$
DECLARE
    secret audit_key%ROWTYPE;
    moment timestamptz := date_trunc('second', clock_timestamp());
    body text := detail::text;
    last_id integer := 0;
    last_hash text := repeat('0', 64);
    digest text;
BEGIN
    SELECT * INTO secret FROM audit_key WHERE id = 1 FOR UPDATE;
    IF NOT FOUND THEN
        PERFORM tracker_refuse('no_audit_key');
    END IF;
    SELECT a.id, a.hash INTO last_id, last_hash FROM audit a ORDER BY a.id DESC LIMIT 1;
    IF NOT FOUND THEN
        last_id := 0;
        last_hash := repeat('0', 64);
    END IF;
    digest := tracker_audit_hash(secret.ipad, secret.opad, last_hash, last_id + 1, moment,
                                 actor, action, target, body);
    INSERT INTO audit (id, at, actor, action, target, detail, prev_hash, hash)
    VALUES (last_id + 1, moment, coalesce(actor, '?'), action, target, body, last_hash,
            digest);
END $$;

CREATE OR REPLACE FUNCTION tracker_target(target_id integer) RETURNS text
LANGUAGE sql STABLE SET search_path = @SCHEMA@, pg_temp AS $$
    SELECT coalesce((SELECT r.slug || ':' || c.code FROM commitment c
                     JOIN report r ON r.id = c.report_id WHERE c.id = target_id),
                    'commitment:' || target_id)
$$;

-- Whether a row version was written by this transaction (not by an earlier one). Product
-- code uses no savepoints; a row written inside one fails this test, and the change is
-- then told twice rather than not at all.
CREATE OR REPLACE FUNCTION tracker_written_now(row_xmin xid) RETURNS boolean
LANGUAGE sql STABLE AS $$
    SELECT row_xmin::text::bigint = pg_current_xact_id()::text::bigint % 4294967296
$$;

CREATE OR REPLACE FUNCTION tracker_audit_history() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = @SCHEMA@, pg_temp AS $$
DECLARE
    target text;
    detail jsonb;
BEGIN
    IF NEW.kind IN ('event', 'extension') THEN
        RETURN NULL;  -- told by the event's or the extension's own entry, which says more
    END IF;
    IF NEW.commitment_id IS NOT NULL THEN
        target := tracker_target(NEW.commitment_id);
    ELSIF NEW.village_id IS NOT NULL THEN
        target := coalesce((SELECT 'village:' || town || ':' || number FROM village
                            WHERE id = NEW.village_id), 'village:#' || NEW.village_id);
    ELSE
        target := 'ledger';
    END IF;
    detail := jsonb_strip_nulls(jsonb_build_object(
        'history', NEW.id, 'old', nullif(NEW.old, ''), 'new', nullif(NEW.new, ''),
        'note', nullif(NEW.note, '')));
    IF NEW.effective_on <> NEW.changed_at::date THEN
        detail := detail || jsonb_build_object('effective', NEW.effective_on);
    END IF;
    PERFORM tracker_audit_write(NEW.changed_by, NEW.kind, target, detail);
    RETURN NULL;
END $$;

CREATE OR REPLACE FUNCTION tracker_audit_event() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = @SCHEMA@, pg_temp AS $$
DECLARE
    detail jsonb;
    files jsonb;
BEGIN
    IF TG_OP = 'INSERT' THEN
        detail := jsonb_strip_nulls(jsonb_build_object(
            'event', NEW.id, 'date', NEW.happened_on, 'note', nullif(NEW.note, ''),
            'value', NEW.value));
        -- The files logged with it (all of them are written by commit time).
        SELECT jsonb_agg(jsonb_build_object('evidence', id, 'path', path, 'sha256', sha256,
                                            'size', size) ORDER BY id)
          INTO files FROM evidence WHERE event_id = NEW.id;
        IF files IS NOT NULL THEN
            detail := detail || jsonb_build_object('evidence', files);
        END IF;
        PERFORM tracker_audit_write(NEW.recorded_by, 'event',
                                    tracker_target(NEW.commitment_id), detail);
    ELSIF OLD.voided_on IS DISTINCT FROM NEW.voided_on THEN
        detail := jsonb_strip_nulls(jsonb_build_object(
            'event', NEW.id, 'date', NEW.voided_on, 'reason', nullif(NEW.void_reason, '')));
        PERFORM tracker_audit_write(coalesce(NEW.voided_by, tracker_actor()), 'event.void',
                                    tracker_target(NEW.commitment_id), detail);
    END IF;
    RETURN NULL;
END $$;

-- A file added to an event of an earlier transaction (one logged with its event is in the
-- event's entry).
CREATE OR REPLACE FUNCTION tracker_audit_evidence() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = @SCHEMA@, pg_temp AS $$
DECLARE
    logged event%ROWTYPE;
BEGIN
    SELECT * INTO logged FROM event WHERE id = NEW.event_id;
    IF EXISTS (SELECT 1 FROM audit
               WHERE target = tracker_target(logged.commitment_id) AND action = 'event'
                 AND detail::jsonb @> jsonb_build_object('event', NEW.event_id, 'evidence',
                     jsonb_build_array(jsonb_build_object('evidence', NEW.id)))) THEN
        RETURN NULL;
    END IF;
    PERFORM tracker_audit_write(
        coalesce(logged.recorded_by, tracker_actor()), 'evidence',
        tracker_target(logged.commitment_id),
        jsonb_build_object('event', NEW.event_id, 'evidence', NEW.id, 'path', NEW.path,
                           'sha256', NEW.sha256, 'size', NEW.size));
    RETURN NULL;
END $$;

CREATE OR REPLACE FUNCTION tracker_audit_account() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = @SCHEMA@, pg_temp AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        PERFORM tracker_audit_write(NEW.created_by, 'account.add', 'account:' || NEW.name,
                                    jsonb_build_object('account', NEW.id, 'role', NEW.role));
    ELSIF OLD.disabled_at IS DISTINCT FROM NEW.disabled_at THEN
        PERFORM tracker_audit_write(
            coalesce(NEW.disabled_by, tracker_actor()),
            CASE WHEN NEW.disabled_at IS NULL THEN 'account.enable' ELSE 'account.disable' END,
            'account:' || NEW.name,
            jsonb_strip_nulls(jsonb_build_object('account', NEW.id,
                                                 'reason', nullif(NEW.disabled_reason, ''))));
    ELSIF OLD.role IS DISTINCT FROM NEW.role THEN
        PERFORM tracker_audit_write(tracker_actor(), 'account.role', 'account:' || NEW.name,
                                    jsonb_build_object('account', NEW.id, 'old', OLD.role,
                                                       'new', NEW.role));
    END IF;
    RETURN NULL;
END $$;

CREATE OR REPLACE FUNCTION tracker_audit_account_unit() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = @SCHEMA@, pg_temp AS $$
BEGIN
    PERFORM tracker_audit_write(
        tracker_actor(), 'account.unit',
        coalesce((SELECT 'account:' || name FROM account WHERE id = NEW.account_id),
                 'account:#' || NEW.account_id),
        jsonb_build_object('unit', coalesce((SELECT name FROM unit WHERE id = NEW.unit_id),
                                            NEW.unit_id::text)));
    RETURN NULL;
END $$;

CREATE OR REPLACE FUNCTION tracker_audit_extension() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = @SCHEMA@, pg_temp AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        PERFORM tracker_audit_write(
            NEW.requested_by, 'extension.request', tracker_target(NEW.commitment_id),
            jsonb_strip_nulls(jsonb_build_object(
                'extension', NEW.id, 'old_due', NEW.old_due, 'new_due', NEW.new_due,
                'reason', nullif(NEW.reason, ''))));
    ELSIF OLD.state IS DISTINCT FROM NEW.state THEN
        PERFORM tracker_audit_write(
            coalesce(NEW.decided_by, tracker_actor()),
            CASE NEW.state WHEN 'approved' THEN 'extension.approve'
                           WHEN 'refused' THEN 'extension.refuse'
                           ELSE 'extension.' || NEW.state END,
            tracker_target(NEW.commitment_id),
            jsonb_strip_nulls(jsonb_build_object(
                'extension', NEW.id, 'old', OLD.state, 'new', NEW.state,
                'new_due', NEW.new_due, 'note', nullif(NEW.decision_note, ''))));
    END IF;
    RETURN NULL;
END $$;

-- Who edited a commitment: the login; for a superuser acting for someone without saying
-- who (tracker.actor), whoever wrote a history row or event of it in this transaction.
CREATE OR REPLACE FUNCTION tracker_edit_actor(target_id integer) RETURNS text
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = @SCHEMA@, pg_temp AS $$
    SELECT CASE WHEN tracker_actor() <> '?' THEN tracker_actor() ELSE coalesce(
        (SELECT changed_by FROM history
         WHERE commitment_id = target_id AND tracker_written_now(xmin) ORDER BY id LIMIT 1),
        (SELECT recorded_by FROM event
         WHERE commitment_id = target_id AND tracker_written_now(xmin) ORDER BY id LIMIT 1),
        '?') END
$$;

-- A commitment's status, deadlines, unit or title. A status a history row of the same
-- transaction states, or an extended date its approval states, is not told twice.
CREATE OR REPLACE FUNCTION tracker_audit_commitment() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = @SCHEMA@, pg_temp AS $$
DECLARE
    changes jsonb := '{}';
BEGIN
    IF OLD.status IS DISTINCT FROM NEW.status AND NOT EXISTS (
        SELECT 1 FROM history h
        WHERE h.commitment_id = NEW.id AND h.kind IN ('seed', 'status', 'auto_status')
          AND h.new = NEW.status AND tracker_written_now(h.xmin)) THEN
        changes := changes || jsonb_build_object(
            'status', jsonb_build_object('old', OLD.status, 'new', NEW.status));
    END IF;
    IF OLD.due IS DISTINCT FROM NEW.due THEN
        changes := changes || jsonb_build_object(
            'due', jsonb_build_object('old', OLD.due, 'new', NEW.due));
    END IF;
    IF OLD.extended_due IS DISTINCT FROM NEW.extended_due AND NOT EXISTS (
        SELECT 1 FROM extension x
        WHERE x.commitment_id = NEW.id AND x.state = 'approved'
          AND x.new_due = NEW.extended_due AND tracker_written_now(x.xmin)) THEN
        changes := changes || jsonb_build_object(
            'extended_due', jsonb_build_object('old', OLD.extended_due, 'new', NEW.extended_due));
    END IF;
    IF OLD.unit_id IS DISTINCT FROM NEW.unit_id THEN
        changes := changes || jsonb_build_object('unit', jsonb_build_object(
            'old', (SELECT name FROM unit WHERE id = OLD.unit_id),
            'new', (SELECT name FROM unit WHERE id = NEW.unit_id)));
    END IF;
    IF OLD.title IS DISTINCT FROM NEW.title THEN
        changes := changes || jsonb_build_object(
            'title', jsonb_build_object('old', OLD.title, 'new', NEW.title));
    END IF;
    IF changes <> '{}' THEN
        PERFORM tracker_audit_write(tracker_edit_actor(NEW.id), 'commitment.edit',
                                    tracker_target(NEW.id),
                                    jsonb_build_object('commitment', NEW.id, 'changes', changes));
    END IF;
    RETURN NULL;
END $$;

-- Check the chain with the key: every link, and every keyed entry's HMAC. Entries before
-- keyed_from (written by tracker itself before the database kept the chain) are checked for
-- their links here and for their SHA-256 by tracker.services.audit. A deleted tail is
-- found by an anchor (tracker audit anchor), as on SQLite.
CREATE OR REPLACE FUNCTION tracker_audit_verify(
    OUT checked integer, OUT broken_position integer, OUT broken_id integer,
    OUT reason text, OUT last_hash text, OUT keyed_from integer)
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = @SCHEMA@, pg_temp AS $$
DECLARE
    secret audit_key%ROWTYPE;
    entry audit%ROWTYPE;
    position integer := 0;
    prev text := repeat('0', 64);
BEGIN
    SELECT * INTO secret FROM audit_key WHERE id = 1;
    checked := 0;
    keyed_from := secret.keyed_from;
    FOR entry IN SELECT * FROM audit ORDER BY id LOOP
        position := position + 1;
        IF entry.id <> position THEN
            reason := 'gap';
        ELSIF entry.prev_hash <> prev THEN
            reason := 'link';
        ELSIF entry.id >= secret.keyed_from AND entry.hash <> tracker_audit_hash(
                secret.ipad, secret.opad, prev, entry.id, entry.at, entry.actor, entry.action,
                entry.target, entry.detail) THEN
            reason := 'hash';
        END IF;
        IF reason IS NOT NULL THEN
            broken_position := position;
            broken_id := entry.id;
            last_hash := prev;
            RETURN;
        END IF;
        prev := entry.hash;
        checked := position;
    END LOOP;
    last_hash := prev;
END $$;
