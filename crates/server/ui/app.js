// Postguard web UI: a small single-page app over the JSON API (/api/v1, described in
// /api/openapi.json). Plain JavaScript, no build step, nothing fetched from elsewhere.
//
// Rules live on the server only: this file sends what the user typed, shows what the server
// answers (findings, statuses, messages) and applies the fixes the server offers. Which
// navigation a role sees is a convenience; the server decides what each request may do.
//
// Security: server data is only ever put into the page with textContent and DOM nodes, never
// as HTML; the CSRF token from the sign-in answer goes with every state-changing request.
'use strict';

(() => {
  // ----- state -----

  const CSRF_KEY = 'postguard.csrf';
  const state = {
    me: null, // {id, username, role, display_name?}
    csrf: null,
    accounts: null, // [{handle, platform, purpose}]
    returnTo: null, // where to go after signing in again
  };
  try {
    state.csrf = window.sessionStorage.getItem(CSRF_KEY);
  } catch (_) {
    state.csrf = null;
  }

  const main = document.getElementById('main');
  let viewSeq = 0; // bumped on every screen change, so late answers do not draw on a new screen

  // ----- DOM helpers: nodes and text only, never markup from a string -----

  function el(tag, props, ...children) {
    const node = document.createElement(tag);
    for (const [key, value] of Object.entries(props || {})) {
      if (value === undefined || value === null || value === false) continue;
      if (key === 'class') node.className = value;
      else if (key === 'text') node.textContent = value;
      else if (key.startsWith('on') && typeof value === 'function') {
        node.addEventListener(key.slice(2), value);
      } else if (['value', 'checked', 'disabled', 'hidden', 'selected', 'required', 'multiple'].includes(key)) {
        node[key] = value;
      } else node.setAttribute(key, value === true ? '' : String(value));
    }
    append(node, children);
    return node;
  }

  function append(node, children) {
    for (const child of children.flat(Infinity)) {
      if (child === null || child === undefined || child === false) continue;
      node.append(child instanceof Node ? child : document.createTextNode(String(child)));
    }
    return node;
  }

  let idSeq = 0;
  function uid(prefix) {
    idSeq += 1;
    return `${prefix}-${idSeq}`;
  }

  // A labelled form field: the label, an optional hint (tied with aria-describedby), the control.
  function field(labelText, control, hint) {
    if (!control.id) control.id = uid('f');
    const parts = [el('label', { for: control.id, text: labelText })];
    if (hint) {
      const hintId = uid('hint');
      control.setAttribute('aria-describedby', hintId);
      parts.push(el('span', { class: 'hint', id: hintId, text: hint }));
    }
    parts.push(control);
    return el('div', { class: 'field' }, parts);
  }

  function alertBox(kind, title, message) {
    return el('div', { class: `alert ${kind}`, role: kind === 'error' ? 'alert' : 'status' },
      title ? el('strong', { text: title }) : null, message || null);
  }

  function fmtTime(iso) {
    if (!iso) return '—';
    const d = new Date(iso);
    return Number.isNaN(d.getTime()) ? String(iso) : d.toLocaleString();
  }

  // The value of a datetime-local input for an ISO time, in local time.
  function localInputValue(iso) {
    if (!iso) return '';
    const d = new Date(iso);
    if (Number.isNaN(d.getTime())) return '';
    const pad = (n) => String(n).padStart(2, '0');
    return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
  }

  const STATUS_LABELS = {
    cleared: 'Cleared',
    pending_review: 'Waiting for review',
    changes_requested: 'Changes requested',
    approved: 'Approved',
    rejected: 'Rejected',
    expired: 'Expired',
  };
  const VERDICT_LABELS = { approve: 'Approved', reject: 'Rejected', request_changes: 'Changes requested' };
  const ROLE_LABELS = { staff: 'Staff', reviewer: 'Reviewer', compliance: 'Compliance', admin: 'Administrator' };

  function statusBadge(status) {
    return el('span', { class: `badge status ${status}`, text: STATUS_LABELS[status] || status });
  }

  function channelLabel(channel) {
    if (!channel || channel.type === 'personal') return 'Personal account';
    return `${channel.handle} (official)`;
  }

  function channelValue(channel) {
    return !channel || channel.type === 'personal' ? 'personal' : channel.handle;
  }

  // ----- the API -----

  class ApiError extends Error {
    constructor(status, message) {
      super(message);
      this.status = status;
      this.handled = false;
    }
  }

  async function api(method, path, body) {
    const headers = { Accept: 'application/json' };
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    if (method !== 'GET' && state.csrf) headers['X-CSRF-Token'] = state.csrf;
    let response;
    try {
      response = await fetch(path, {
        method,
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
        credentials: 'same-origin',
        cache: 'no-store',
      });
    } catch (_) {
      throw new ApiError(0, 'The server could not be reached. Check the connection and try again.');
    }
    const text = await response.text();
    let data = null;
    try {
      data = text ? JSON.parse(text) : null;
    } catch (_) {
      data = null;
    }
    if (!response.ok) {
      const message = (data && data.error && data.error.message) || text.trim()
        || `The request failed (HTTP ${response.status}).`;
      throw new ApiError(response.status, message);
    }
    return data;
  }

  // A signed-in request: a 401 (expired or unknown session) ends the session here too and goes
  // back to sign-in with the server's message.
  async function call(method, path, body) {
    try {
      return await api(method, path, body);
    } catch (e) {
      if (e instanceof ApiError && e.status === 401) {
        endSession({ kind: 'warn', title: 'You are signed out', message: e.message });
        e.handled = true;
      }
      throw e;
    }
  }

  // Shows an error in `box` (an element whose children are replaced), unless already handled.
  function showError(box, e, title) {
    if (e && e.handled) return;
    const message = e instanceof ApiError ? e.message : 'Something went wrong in this page.';
    box.replaceChildren(alertBox('error', title || null, message));
    if (!(e instanceof ApiError)) console.error(e); // eslint-disable-line no-console
  }

  async function loadAccounts() {
    if (!state.accounts) {
      const answer = await call('GET', '/api/v1/accounts');
      state.accounts = answer.accounts || [];
    }
    return state.accounts;
  }

  // ----- session and navigation -----

  const REVIEWERS = ['reviewer', 'compliance', 'admin'];
  const NAV = [
    { href: '#/compose', label: 'Compose' },
    { href: '#/drafts', label: 'My drafts' },
    { href: '#/queue', label: 'Review queue', roles: REVIEWERS },
    { href: '#/audit', label: 'Audit', roles: ['compliance', 'admin'] },
    { href: '#/users', label: 'Users', roles: ['admin'] },
    { href: '#/tokens', label: 'API tokens' },
    { href: '#/password', label: 'Password' },
  ];

  function canReview() {
    return Boolean(state.me && REVIEWERS.includes(state.me.role));
  }

  // The navigation for the signed-in user's role; `here` (default: the current screen) is the
  // entry marked as the current page.
  function drawNav(here) {
    const nav = document.getElementById('nav');
    const who = document.getElementById('who');
    const links = document.getElementById('nav-links');
    if (state.me && state.me.must_change_password) {
      // Only the password screen until the password is the user's own.
      nav.hidden = false;
      who.hidden = false;
      links.replaceChildren();
      document.getElementById('who-name').textContent = state.me.display_name || state.me.username;
      return;
    }
    if (!state.me) {
      nav.hidden = true;
      who.hidden = true;
      links.replaceChildren();
      return;
    }
    const at = here || window.location.hash.split('/').slice(0, 2).join('/');
    links.replaceChildren(...NAV
      .filter((item) => !item.roles || item.roles.includes(state.me.role))
      .map((item) => el('li', {}, el('a', {
        href: item.href,
        'aria-current': item.href === at ? 'page' : null,
        text: item.label,
      }))));
    nav.hidden = false;
    who.hidden = false;
    document.getElementById('who-name').textContent =
      `${state.me.display_name || state.me.username} · ${ROLE_LABELS[state.me.role] || state.me.role}`;
  }

  function setCsrf(token) {
    state.csrf = token;
    try {
      if (token) window.sessionStorage.setItem(CSRF_KEY, token);
      else window.sessionStorage.removeItem(CSRF_KEY);
    } catch (_) {
      // Private mode without storage: the token lives in memory until the tab closes.
    }
  }

  // Forgets the session here and shows sign-in with `notice` ({kind, title, message});
  // unless `forget`, signing in again comes back to the current screen.
  function endSession(notice, forget) {
    if (!forget && state.me && isScreen(window.location.hash)) state.returnTo = window.location.hash;
    if (forget) state.returnTo = null;
    state.me = null;
    state.accounts = null;
    setCsrf(null);
    drawNav();
    showSignIn(notice);
  }

  function isScreen(hash) {
    return hash.startsWith('#/') && hash !== '#/signin';
  }

  function navigate(hash) {
    if (window.location.hash === hash) route();
    else window.location.hash = hash;
  }

  // Draws a screen: the title (focused, for screen readers and keyboards) and its content.
  function page(title, ...children) {
    viewSeq += 1;
    document.title = `${title} · Postguard`;
    const h1 = el('h1', { tabindex: '-1', text: title });
    main.replaceChildren(h1, ...children.flat());
    drawNav();
    return { h1, view: viewSeq };
  }

  function current(view) {
    return view === viewSeq;
  }

  function focusTitle(p) {
    p.h1.focus({ preventScroll: false });
  }

  const ROUTES = [
    [/^#\/compose$/, () => showCompose()],
    [/^#\/drafts$/, () => showDrafts()],
    [/^#\/drafts\/(\d+)$/, (m) => showDraft(Number(m[1]))],
    [/^#\/queue$/, () => showQueue()],
    [/^#\/audit$/, () => showAudit()],
    [/^#\/users$/, () => showUsers()],
    [/^#\/tokens$/, () => showTokens()],
    [/^#\/password$/, () => showPassword()],
  ];

  function route() {
    if (!state.me) {
      if (isScreen(window.location.hash)) state.returnTo = window.location.hash;
      showSignIn();
      return;
    }
    // A password set by an admin (or a one-time one) is replaced before anything else: the
    // server refuses every other request until then.
    if (state.me.must_change_password && window.location.hash !== '#/password') {
      navigate('#/password');
      return;
    }
    const hash = window.location.hash;
    for (const [pattern, show] of ROUTES) {
      const m = hash.match(pattern);
      if (m) {
        show(m);
        return;
      }
    }
    navigate('#/compose');
  }

  // ----- 1. sign in, two-factor enrolment, sign out -----

  // The sign-in form, with an optional notice ({kind, title, message}) above it.
  function showSignIn(notice, username) {
    const p = page('Sign in');
    const box = el('div', { id: 'signin-notice' });
    if (notice) box.append(alertBox(notice.kind || 'info', notice.title || null, notice.message || null));
    const user = el('input', { type: 'text', id: 'username', name: 'username', autocomplete: 'username', required: true, value: username || '' });
    const pass = el('input', { type: 'password', id: 'password', name: 'password', autocomplete: 'current-password', required: true });
    const code = el('input', { type: 'text', id: 'code', name: 'code', autocomplete: 'one-time-code', inputmode: 'numeric', spellcheck: 'false' });
    const codeLabel = el('label', { for: 'code', text: 'Two-factor code' });
    const codeHint = el('span', { class: 'hint', id: 'code-hint', text: 'Reviewers, compliance officers and administrators: the 6-digit code from your authenticator app. Leave empty if your account has no second factor.' });
    code.setAttribute('aria-describedby', 'code-hint');
    let recovery = false;
    const toggle = el('button', {
      type: 'button',
      class: 'link',
      id: 'use-recovery',
      text: 'Use a recovery code instead',
      onclick: () => {
        recovery = !recovery;
        codeLabel.textContent = recovery ? 'Recovery code' : 'Two-factor code';
        codeHint.textContent = recovery
          ? 'One of the recovery codes you saved when you set up two-factor sign-in (xxxx-xxxx-xxxx). Each works once.'
          : 'Reviewers, compliance officers and administrators: the 6-digit code from your authenticator app. Leave empty if your account has no second factor.';
        code.setAttribute('inputmode', recovery ? 'text' : 'numeric');
        toggle.textContent = recovery ? 'Use a code from the app instead' : 'Use a recovery code instead';
        code.value = '';
        code.focus();
      },
    });
    const errors = el('div', { id: 'signin-errors' });
    const button = el('button', { type: 'submit', id: 'signin-button', text: 'Sign in' });
    const form = el('form', { class: 'card narrow', id: 'signin-form', novalidate: true },
      box,
      field('Username', user),
      field('Password', pass),
      codeLabel, codeHint, code,
      el('div', { class: 'actions' }, toggle),
      errors,
      el('div', { class: 'actions' }, button));
    form.addEventListener('submit', async (event) => {
      event.preventDefault();
      errors.replaceChildren();
      if (!user.value.trim() || !pass.value) {
        errors.append(alertBox('error', null, 'Enter your username and password.'));
        (user.value.trim() ? pass : user).focus();
        return;
      }
      const body = { username: user.value.trim(), password: pass.value };
      const typed = code.value.trim();
      if (typed) body[recovery ? 'recovery_code' : 'code'] = typed;
      button.disabled = true;
      button.textContent = 'Signing in…';
      try {
        const answer = await api('POST', '/api/v1/login', body);
        setCsrf(answer.csrf_token);
        state.me = answer.user;
        const target = state.returnTo || '#/compose';
        state.returnTo = null;
        navigate(target);
      } catch (e) {
        button.disabled = false;
        button.textContent = 'Sign in';
        if (e instanceof ApiError && e.status === 403) {
          // The role signs in with a second factor that is not set up yet.
          showEnrol(body.username, body.password);
          return;
        }
        showError(errors, e, 'Could not sign in');
        if (e instanceof ApiError && /two-factor|recovery/i.test(e.message)) code.focus();
        else pass.focus();
      }
    });
    main.replaceChildren(p.h1, form);
    (username ? pass : user).focus();
  }

  function svgDataUrl(svg) {
    const bytes = new TextEncoder().encode(svg);
    let binary = '';
    for (const b of bytes) binary += String.fromCharCode(b);
    return `data:image/svg+xml;base64,${window.btoa(binary)}`;
  }

  async function showEnrol(username, password) {
    const p = page('Set up two-factor sign-in');
    const box = el('div', {}, el('p', { class: 'loading', text: 'Preparing your key…' }));
    main.append(box);
    focusTitle(p);
    let enrolment;
    try {
      enrolment = await api('POST', '/api/v1/totp/enrol', { username, password });
    } catch (e) {
      showError(box, e, 'Two-factor sign-in could not be set up');
      box.append(el('button', { type: 'button', class: 'secondary', text: 'Back to sign-in', onclick: () => showSignIn(null, username) }));
      return;
    }
    if (!current(p.view)) return;
    const code = el('input', { type: 'text', id: 'enrol-code', autocomplete: 'one-time-code', inputmode: 'numeric', required: true });
    const errors = el('div', {});
    const button = el('button', { type: 'submit', id: 'enrol-confirm', text: 'Turn on two-factor sign-in' });
    const form = el('form', { class: 'card', novalidate: true },
      el('h2', { text: '2. Enter the code the app shows' }),
      field('Code from the app', code, 'Six digits; a new one every 30 seconds.'),
      errors,
      el('div', { class: 'actions' }, button));
    box.replaceChildren(
      alertBox('info', null, 'Your role signs in with a password and a code from an authenticator app on your phone. Set it up once now.'),
      el('div', { class: 'card' },
        el('h2', { text: '1. Add Postguard to your authenticator app' }),
        el('p', { text: 'Scan this QR code with the app, or type the key below into it.' }),
        el('img', { class: 'qr', id: 'totp-qr', src: svgDataUrl(enrolment.qr_svg), alt: 'QR code to add Postguard to an authenticator app' }),
        el('p', {}, 'Key: ', el('code', { class: 'secret', id: 'totp-secret', text: enrolment.secret })),
        el('details', {},
          el('summary', { text: 'The otpauth:// link in the QR code' }),
          el('code', { class: 'secret', id: 'totp-uri', text: enrolment.otpauth_uri }))),
      form);
    form.addEventListener('submit', async (event) => {
      event.preventDefault();
      errors.replaceChildren();
      button.disabled = true;
      try {
        const answer = await api('POST', '/api/v1/totp/confirm', { username, password, code: code.value.trim() });
        showRecoveryCodes(username, answer.recovery_codes || []);
      } catch (e) {
        button.disabled = false;
        showError(errors, e, 'That code did not work');
        code.focus();
      }
    });
    code.focus();
  }

  function showRecoveryCodes(username, codes) {
    const p = page('Save your recovery codes');
    main.append(
      alertBox('ok', 'Two-factor sign-in is on.', null),
      el('div', { class: 'card' },
        el('p', { text: 'If you lose your phone, each of these codes signs you in once. Save them somewhere safe now: they are shown only this once.' }),
        el('ol', { class: 'codes', id: 'recovery-codes' }, codes.map((c) => el('li', { text: c }))),
        el('div', { class: 'actions' },
          el('button', {
            type: 'button',
            id: 'recovery-done',
            text: 'I have saved them: sign in',
            onclick: () => showSignIn({
              kind: 'ok',
              title: 'Two-factor sign-in is on',
              message: 'Sign in with your password and a new code from the app (wait for the next code if it has not changed yet).',
            }, username),
          }))));
    focusTitle(p);
  }

  async function signOut() {
    try {
      await api('POST', '/api/v1/logout');
    } catch (_) {
      // Signed out here either way; the session ends on the server after its idle time.
    }
    window.history.replaceState(null, '', '#/signin');
    endSession({ kind: 'info', message: 'You have signed out.' }, true);
  }

  // ----- findings: offsets, highlighting, the list -----

  // The UTF-16 index of each UTF-8 byte offset of `text` (the server's offsets are bytes).
  function byteIndex(text) {
    const map = new Map();
    let byte = 0;
    let index = 0;
    for (const ch of text) {
      map.set(byte, index);
      const cp = ch.codePointAt(0);
      byte += cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
      index += ch.length;
    }
    map.set(byte, index);
    return (offset) => (map.has(offset) ? map.get(offset) : null);
  }

  const SEVERITY_HELP = 'block: must be fixed before it can go out · review: a reviewer looks first · advise: for your information';

  function isAttachmentFinding(f) {
    return typeof f.rule === 'string' && f.rule.startsWith('attachment[');
  }

  // The text with each finding's span marked (numbered like the list); overlapping spans are
  // listed but only the first is marked.
  function highlighted(text, findings) {
    const toIndex = byteIndex(text);
    const spans = findings
      .map((f, i) => ({ f, n: i + 1, start: toIndex(f.start), end: toIndex(f.end) }))
      .filter((s) => !isAttachmentFinding(s.f) && s.start !== null && s.end !== null && s.end >= s.start)
      .sort((a, b) => a.start - b.start || b.end - a.end);
    const nodes = [];
    let at = 0;
    for (const s of spans) {
      if (s.start < at) continue;
      if (s.start > at) nodes.push(text.slice(at, s.start));
      nodes.push(el('mark', { class: s.f.severity, title: `${s.n}: ${s.f.severity} ${s.f.category}` },
        text.slice(s.start, s.end), el('sup', { text: String(s.n) })));
      at = s.end;
    }
    if (at < text.length) nodes.push(text.slice(at));
    return nodes;
  }

  function fixButton(f, onFix) {
    const fix = f.fix;
    if (!fix) return null;
    if (fix.kind === 'reword') return el('span', { class: 'hint', text: `Suggestion: ${fix.hint}` });
    let label;
    if (fix.kind === 'redact' || fix.kind === 'replace') label = `Replace with ${fix.replacement}`;
    else if (fix.kind === 'append') label = `Add “${fix.text.trim()}”`;
    else return null;
    if (!onFix) return el('span', { class: 'hint', text: `Fix: ${label}` });
    return el('button', { type: 'button', class: 'secondary small fix-button', 'data-fix': fix.kind, text: label, onclick: () => onFix(f) });
  }

  function findingItem(f, n, onFix) {
    const where = isAttachmentFinding(f) ? `in attachment ${Number(f.rule.slice(11, f.rule.indexOf(']'))) + 1}'s alt text` : null;
    return el('li', { class: `finding ${f.severity}`, 'data-category': f.category },
      el('div', { class: 'head' },
        el('span', { class: 'muted small', text: `${n}.` }),
        el('span', { class: `badge ${f.severity}`, text: f.severity }),
        el('span', { class: 'category', text: f.identifier ? `${f.category} · ${f.identifier}` : f.category }),
        f.matched ? el('span', { class: 'matched', text: f.matched }) : null,
        where ? el('span', { class: 'muted small', text: where }) : null),
      el('p', { class: 'explanation', text: f.explanation }),
      el('div', { class: 'fix' }, fixButton(f, onFix)));
  }

  function findingsList(findings, onFix) {
    return el('ol', { class: 'findings' }, findings.map((f, i) => findingItem(f, i + 1, onFix)));
  }

  function summaryText(findings) {
    if (!findings.length) return 'Nothing found: no problems with this text.';
    const order = ['advise', 'review', 'block'];
    const top = findings.reduce((m, f) => (order.indexOf(f.severity) > order.indexOf(m) ? f.severity : m), 'advise');
    return `${findings.length} finding${findings.length === 1 ? '' : 's'}; highest severity: ${top}.`;
  }

  // ----- 2. compose (also used to edit and resubmit) -----

  // The draft form with its live check. `initial` fills it; `fixed` locks channel and kind
  // (a resubmission keeps the post's); `onSubmit(draft)` sends it.
  function composer({ initial, fixed, submitLabel, onSubmit }) {
    const init = initial || {};
    const text = el('textarea', { id: 'draft-text', name: 'text', rows: '8', required: true, spellcheck: 'true' });
    text.value = init.text || '';
    const kind = el('select', { id: 'draft-kind', name: 'kind', disabled: Boolean(fixed) },
      ['post', 'reply', 'comment'].map((k) => el('option', { value: k, text: k[0].toUpperCase() + k.slice(1), selected: (init.kind || 'post') === k })));
    const channel = el('select', { id: 'draft-channel', name: 'channel', disabled: Boolean(fixed) },
      el('option', { value: 'personal', text: 'Personal account' }));
    const byHandle = new Map();
    for (const a of state.accounts || []) {
      if (!byHandle.has(a.handle)) byHandle.set(a.handle, []);
      byHandle.get(a.handle).push(a.platform);
    }
    for (const [handle, platforms] of byHandle) {
      channel.append(el('option', { value: handle, text: `${handle} — official (${platforms.join(', ')})` }));
    }
    channel.value = init.channel || 'personal';
    if (channel.value !== (init.channel || 'personal')) {
      // An account no longer in the policy: keep it selectable so the draft can be read.
      channel.append(el('option', { value: init.channel, text: init.channel, selected: true }));
    }
    const employer = el('input', { type: 'checkbox', id: 'draft-employer', checked: Boolean(init.identifies_employer) });
    const scheduled = el('input', { type: 'datetime-local', id: 'draft-scheduled', value: localInputValue(init.scheduled_at) });

    const attachmentRows = el('div', { id: 'attachments' });
    function addAttachment(a) {
      const alt = el('input', { type: 'text', class: 'alt-text', value: (a && a.alt_text) || '' });
      const person = el('input', { type: 'checkbox', class: 'shows-person', checked: Boolean(a && a.shows_person) });
      const n = attachmentRows.children.length + 1;
      const row = el('div', { class: 'attachment' },
        el('div', { class: 'alt' }, field(`Attachment ${n}: alt text`, alt, 'Describe the image or video for people who cannot see it.')),
        el('label', { class: 'inline' }, person, 'Shows a person'),
        el('button', { type: 'button', class: 'secondary small', text: 'Remove', 'aria-label': `Remove attachment ${n}`, onclick: () => { row.remove(); } }));
      attachmentRows.append(row);
      return alt;
    }
    for (const a of init.attachments || []) addAttachment(a);

    const errors = el('div', { id: 'compose-errors' });
    const submit = el('button', { type: 'submit', id: 'draft-submit', text: submitLabel || 'Submit' });

    // The live check.
    const checkStatus = el('p', { id: 'check-status', role: 'status', 'aria-live': 'polite', class: 'muted', text: 'Start typing: the text is checked against the policy as you write.' });
    const preview = el('div', { class: 'preview', id: 'preview', 'aria-label': 'Preview with the findings marked' });
    const list = el('div', { id: 'live-findings' });
    let checked = null; // {text, findings} of the last answer
    let seq = 0;
    let timer = null;

    function context() {
      return {
        channel: channel.value === 'personal' ? 'personal' : 'official',
        identifies_employer: employer.checked,
        kind: kind.value,
      };
    }

    async function runCheck() {
      window.clearTimeout(timer);
      const body = { text: text.value, context: context() };
      seq += 1;
      const mine = seq;
      if (!body.text.trim()) {
        checked = { text: body.text, findings: [] };
        preview.replaceChildren();
        preview.classList.remove('stale');
        list.replaceChildren();
        checkStatus.textContent = 'Start typing: the text is checked against the policy as you write.';
        return;
      }
      checkStatus.textContent = 'Checking…';
      try {
        const answer = await api('POST', '/api/v1/check', body);
        if (mine !== seq) return;
        checked = { text: body.text, findings: answer.findings || [] };
        preview.replaceChildren(...highlighted(body.text, checked.findings));
        preview.classList.remove('stale');
        list.replaceChildren(findingsList(checked.findings, applyFix));
        checkStatus.textContent = summaryText(checked.findings);
      } catch (e) {
        if (mine !== seq) return;
        checkStatus.textContent = `The check failed: ${e.message}`;
      }
    }

    function scheduleCheck() {
      window.clearTimeout(timer);
      preview.classList.add('stale');
      for (const b of list.querySelectorAll('.fix-button')) b.disabled = true;
      timer = window.setTimeout(runCheck, 350);
    }

    // Applies a fix the server offered to the text it was offered for.
    function applyFix(f) {
      if (!checked || text.value !== checked.text) {
        runCheck();
        return;
      }
      const t = checked.text;
      if (f.fix.kind === 'append') {
        text.value = t + f.fix.text;
      } else {
        const toIndex = byteIndex(t);
        const start = toIndex(f.start);
        const end = toIndex(f.end);
        if (start === null || end === null) return;
        text.value = t.slice(0, start) + f.fix.replacement + t.slice(end);
      }
      text.focus();
      runCheck();
    }

    text.addEventListener('input', scheduleCheck);
    for (const control of [kind, channel, employer]) control.addEventListener('change', runCheck);

    const form = el('form', { class: 'card', id: 'compose-form', novalidate: true },
      field('Your text', text, 'Exactly as it will be published.'),
      field('Where it will be posted', channel, fixed ? 'A resubmission keeps the draft\'s account and kind.' : null),
      el('div', { class: 'row' }, field('Kind', kind), el('div', {})),
      el('label', { class: 'inline' }, employer, 'My profile identifies my employer (job title, workplace)'),
      field('Scheduled for (optional)', scheduled, 'If it is not approved by then, it expires.'),
      el('fieldset', {},
        el('legend', { text: 'Images and videos' }),
        el('p', { class: 'hint', text: 'Describe each one; the alt text is checked too, and a photo of a person needs their consent.' }),
        attachmentRows,
        el('button', { type: 'button', class: 'secondary small', id: 'add-attachment', text: 'Add an image or video', onclick: () => addAttachment().focus() })),
      errors,
      el('div', { class: 'actions' }, submit));
    form.addEventListener('submit', async (event) => {
      event.preventDefault();
      errors.replaceChildren();
      if (!text.value.trim()) {
        errors.append(alertBox('error', null, 'Write the text first.'));
        text.focus();
        return;
      }
      let scheduledAt = null;
      if (scheduled.value) {
        const d = new Date(scheduled.value);
        if (Number.isNaN(d.getTime())) {
          errors.append(alertBox('error', null, 'The scheduled time is not a valid date and time.'));
          scheduled.focus();
          return;
        }
        scheduledAt = d.toISOString();
      }
      const draft = {
        text: text.value,
        kind: kind.value,
        channel: channel.value,
        identifies_employer: employer.checked,
        scheduled_at: scheduledAt,
        attachments: [...attachmentRows.children].map((row) => ({
          alt_text: row.querySelector('.alt-text').value,
          shows_person: row.querySelector('.shows-person').checked,
        })),
      };
      submit.disabled = true;
      try {
        await onSubmit(draft);
      } catch (e) {
        submit.disabled = false;
        showError(errors, e, 'Not submitted');
      }
    });

    const checkPanel = el('section', { class: 'card', 'aria-labelledby': 'check-title' },
      el('h2', { id: 'check-title', text: 'Live check' }),
      checkStatus,
      el('p', { class: 'legend', text: SEVERITY_HELP }),
      el('h3', { text: 'Preview' }),
      preview,
      list);
    if (text.value) runCheck();
    return { node: el('div', { class: 'columns' }, form, checkPanel), focus: () => text.focus() };
  }

  async function showCompose() {
    const p = page('Write a post');
    const box = el('div', {}, el('p', { class: 'loading', text: 'Loading…' }));
    main.append(box);
    try {
      await loadAccounts();
    } catch (e) {
      showError(box, e);
      return;
    }
    if (!current(p.view)) return;
    const c = composer({
      submitLabel: 'Submit',
      onSubmit: async (draft) => {
        const answer = await call('POST', '/api/v1/drafts', draft);
        showSubmitted(answer, draft.text);
      },
    });
    box.replaceChildren(c.node);
    c.focus();
  }

  function showSubmitted(answer, text) {
    const post = answer.post;
    const p = page(`Draft #${post.id} submitted`);
    const findings = answer.findings || [];
    let message;
    if (post.status === 'cleared') {
      message = alertBox('ok', 'Cleared', 'Nothing in it needs a reviewer: you may publish it.');
    } else if (post.status === 'pending_review') {
      const where = post.channel && post.channel.type === 'official' ? ` on ${post.channel.handle}` : '';
      message = alertBox('info', 'Queued for review', `A reviewer looks at it before it goes out${where}. You can follow it under My drafts.`);
    } else {
      message = alertBox('info', STATUS_LABELS[post.status] || post.status, null);
    }
    main.append(
      el('div', { id: 'submit-result' }, message),
      el('div', { class: 'card' },
        el('p', {}, 'Status: ', statusBadge(post.status)),
        el('h2', { text: 'Findings' }),
        el('p', { text: summaryText(findings) }),
        text ? el('div', { class: 'preview' }, highlighted(text, findings)) : null,
        findingsList(findings, null)),
      el('div', { class: 'actions' },
        el('a', { class: 'button', href: `#/drafts/${post.id}`, text: `Open draft #${post.id}` }),
        el('a', { class: 'button secondary', href: '#/compose', text: 'Write another', onclick: (e) => { e.preventDefault(); navigate('#/compose'); } })));
    focusTitle(p);
  }

  // ----- 3. drafts -----

  function postsTable(posts, id) {
    return el('div', { class: 'table-wrap' }, el('table', { id },
      el('thead', {}, el('tr', {},
        ['Draft', 'Status', 'Account', 'Kind', 'Scheduled', 'Submitted', 'Last change'].map((h) => el('th', { scope: 'col', text: h })))),
      el('tbody', {}, posts.map((post) => el('tr', { 'data-id': String(post.id) },
        el('td', {}, el('a', { href: `#/drafts/${post.id}`, text: `#${post.id}` })),
        el('td', {}, statusBadge(post.status)),
        el('td', { text: channelLabel(post.channel) }),
        el('td', { text: post.kind }),
        el('td', { text: post.scheduled_at ? fmtTime(post.scheduled_at) : '—' }),
        el('td', { text: fmtTime(post.created_at) }),
        el('td', { text: fmtTime(post.updated_at) }))))));
  }

  async function showDrafts() {
    const p = page('My drafts');
    const box = el('div', {}, el('p', { class: 'loading', text: 'Loading…' }));
    main.append(box);
    focusTitle(p);
    try {
      const answer = await call('GET', '/api/v1/drafts');
      if (!current(p.view)) return;
      const drafts = answer.drafts || [];
      box.replaceChildren(drafts.length
        ? postsTable(drafts, 'drafts-table')
        : el('p', {}, 'No drafts yet. ', el('a', { href: '#/compose', text: 'Write one' }), '.'));
    } catch (e) {
      showError(box, e);
    }
  }

  // A word-level diff of two texts (longest common subsequence over words and spaces).
  function wordDiff(before, after) {
    const a = before.split(/(\s+)/).filter((t) => t !== '');
    const b = after.split(/(\s+)/).filter((t) => t !== '');
    if ((a.length + 1) * (b.length + 1) > 4000000) {
      return [el('del', { text: before }), el('ins', { text: after })];
    }
    const cols = b.length + 1;
    const lcs = new Uint32Array((a.length + 1) * cols);
    for (let i = a.length - 1; i >= 0; i -= 1) {
      for (let j = b.length - 1; j >= 0; j -= 1) {
        lcs[i * cols + j] = a[i] === b[j] ? lcs[(i + 1) * cols + j + 1] + 1
          : Math.max(lcs[(i + 1) * cols + j], lcs[i * cols + j + 1]);
      }
    }
    const out = [];
    const push = (tag, t) => {
      const last = out[out.length - 1];
      if (last && last.tag === tag) last.text += t;
      else out.push({ tag, text: t });
    };
    let i = 0;
    let j = 0;
    while (i < a.length && j < b.length) {
      if (a[i] === b[j]) {
        push('same', a[i]);
        i += 1;
        j += 1;
      } else if (lcs[(i + 1) * cols + j] >= lcs[i * cols + j + 1]) {
        push('del', a[i]);
        i += 1;
      } else {
        push('ins', b[j]);
        j += 1;
      }
    }
    while (i < a.length) { push('del', a[i]); i += 1; }
    while (j < b.length) { push('ins', b[j]); j += 1; }
    return out.map((part) => (part.tag === 'same' ? part.text : el(part.tag, { text: part.text })));
  }

  function versionBlock(v) {
    const findings = v.findings || [];
    return el('div', { class: 'version', 'data-version': String(v.version) },
      el('p', { class: 'muted small', text: `Version ${v.version} · ${fmtTime(v.created_at)} · policy ${v.policy_version}` }),
      el('div', { class: 'preview' }, highlighted(v.text, findings)),
      (v.attachments || []).length ? el('div', {},
        el('h3', { text: 'Images and videos' }),
        el('ul', {}, v.attachments.map((a, i) => el('li', {},
          `Attachment ${i + 1}: `, el('span', { text: a.alt_text || '(no alt text)' }),
          a.shows_person ? el('span', { class: 'muted', text: ' · shows a person' }) : null)))) : null,
      el('h3', { text: 'Findings' }),
      el('p', { text: summaryText(findings) }),
      findingsList(findings, null));
  }

  async function showDraft(id, flash) {
    const p = page(`Draft #${id}`);
    const box = el('div', {}, el('p', { class: 'loading', text: 'Loading…' }));
    main.append(box);
    if (!flash) focusTitle(p);
    let detail;
    try {
      detail = await call('GET', `/api/v1/drafts/${id}`);
    } catch (e) {
      if (e instanceof ApiError && e.status === 404) {
        box.replaceChildren(alertBox('error', 'Not found', 'There is no such draft, or it is not yours to see.'));
      } else showError(box, e);
      return;
    }
    if (!current(p.view)) return;
    const { post, versions, decisions } = detail;
    const latest = versions[versions.length - 1];
    const previous = versions.length > 1 ? versions[versions.length - 2] : null;
    const isAuthor = state.me && post.author === state.me.id;
    if (!isAuthor) drawNav('#/queue');
    const open = post.status === 'pending_review' || post.status === 'changes_requested';
    const parts = [];
    if (flash) parts.push(flash);
    parts.push(el('div', { class: 'card' }, el('dl', { class: 'meta' },
      el('dt', { text: 'Status' }), el('dd', { id: 'draft-status' }, statusBadge(post.status)),
      el('dt', { text: 'Account' }), el('dd', { text: channelLabel(post.channel) }),
      el('dt', { text: 'Kind' }), el('dd', { text: post.kind }),
      el('dt', { text: 'Author' }), el('dd', { text: isAuthor ? 'you' : `user #${post.author}` }),
      el('dt', { text: 'Scheduled' }), el('dd', { text: post.scheduled_at ? fmtTime(post.scheduled_at) : 'not scheduled' }),
      el('dt', { text: 'Last change' }), el('dd', { text: fmtTime(post.updated_at) }),
      post.legal_hold ? [el('dt', { text: 'Legal hold' }), el('dd', { text: 'yes: kept past the retention period' })] : null)));

    if (canReview() && open) parts.push(decisionCard(post));
    if (isAuthor && open) {
      parts.push(el('div', { class: 'actions page-actions' }, el('button', {
        type: 'button',
        id: 'edit-draft',
        text: post.status === 'changes_requested' ? 'Make the changes and resubmit' : 'Edit and resubmit',
        onclick: () => showEdit(post, latest),
      })));
    }
    if (previous) {
      parts.push(el('section', { class: 'card', id: 'diff' },
        el('h2', { text: `What changed from version ${previous.version} to ${latest.version}` }),
        el('p', { class: 'legend', text: 'Removed words are struck through; added words are underlined.' }),
        el('div', { class: 'diff', id: 'diff-text' }, wordDiff(previous.text, latest.text))));
    }
    parts.push(el('section', { class: 'card', id: 'latest-version' },
      el('h2', { text: versions.length > 1 ? `Latest version (${latest.version})` : 'The text' }),
      versionBlock(latest)));
    parts.push(el('section', { class: 'card', id: 'decisions' },
      el('h2', { text: 'Decisions' }),
      decisions.length ? el('div', { class: 'table-wrap' }, el('table', {},
        el('thead', {}, el('tr', {}, ['Version', 'Step', 'Decision', 'Reviewer', 'When', 'Reason', canReview() ? 'Private note' : null]
          .filter(Boolean).map((h) => el('th', { scope: 'col', text: h })))),
        el('tbody', {}, decisions.map((d) => el('tr', {},
          el('td', { text: String(d.version) }),
          el('td', { text: d.step }),
          el('td', { text: VERDICT_LABELS[d.verdict] || d.verdict }),
          el('td', { text: state.me && d.reviewer === state.me.id ? 'you' : `user #${d.reviewer}` }),
          el('td', { text: fmtTime(d.created_at) }),
          el('td', { class: 'reason', text: d.reason || '' }),
          canReview() ? el('td', { text: d.note || '' }) : null)))))
        : el('p', { class: 'muted', text: 'No decisions yet.' })));
    if (versions.length > 1) {
      parts.push(el('section', { class: 'card' },
        el('h2', { text: 'Earlier versions' }),
        versions.slice(0, -1).reverse().map((v) => el('details', {},
          el('summary', { text: `Version ${v.version} (${fmtTime(v.created_at)})` }),
          versionBlock(v)))));
    }
    if (state.me && ['compliance', 'admin'].includes(state.me.role)) parts.push(complianceCard(post));
    box.replaceChildren(...parts);
  }

  function decisionCard(post) {
    const reason = el('textarea', { id: 'decision-reason', rows: '3' });
    const note = el('textarea', { id: 'decision-note', rows: '3' });
    const result = el('div', { id: 'decision-result' });
    const buttons = [];
    async function decide(verdict) {
      result.replaceChildren();
      for (const b of buttons) b.disabled = true;
      const body = { verdict, revision: post.revision };
      if (reason.value.trim()) body.reason = reason.value.trim();
      if (note.value.trim()) body.note = note.value.trim();
      try {
        const answer = await call('POST', `/api/v1/drafts/${post.id}/decision`, body);
        const flash = alertBox('ok', `Recorded: ${(VERDICT_LABELS[verdict] || verdict).toLowerCase()}`,
          `Step “${answer.step}”. The draft is now: ${STATUS_LABELS[answer.post.status] || answer.post.status}.`);
        flash.id = 'decision-recorded';
        showDraft(post.id, flash);
      } catch (e) {
        for (const b of buttons) b.disabled = false;
        if (e.handled) return;
        const title = e.status === 409 ? 'Not recorded: the draft changed or is no longer waiting'
          : e.status === 403 ? 'Not recorded: not allowed' : 'Not recorded';
        result.replaceChildren(alertBox('error', title, e.message),
          e.status === 409 ? el('button', { type: 'button', class: 'secondary', text: 'Reload the draft', onclick: () => showDraft(post.id) }) : null);
      }
    }
    const make = (verdict, label, cls) => {
      const b = el('button', { type: 'button', class: cls, id: `decide-${verdict}`, text: label, onclick: () => decide(verdict) });
      buttons.push(b);
      return b;
    };
    return el('section', { class: 'card', id: 'decision', 'aria-labelledby': 'decision-title' },
      el('h2', { id: 'decision-title', text: 'Your decision' }),
      field('Reason for the author (optional)', reason, 'What to change, or why it cannot go out. The author sees it with the decision.'),
      field('Private note (optional)', note, 'Seen by reviewers, compliance and administrators only, never by the author.'),
      el('div', { class: 'actions' },
        make('approve', 'Approve', 'approve'),
        make('request_changes', 'Request changes', 'secondary'),
        make('reject', 'Reject', 'danger')),
      result);
  }

  function complianceCard(post) {
    const result = el('div', {});
    const hold = el('button', {
      type: 'button',
      class: 'secondary',
      text: post.legal_hold ? 'Release the legal hold' : 'Put under legal hold',
      onclick: async () => {
        hold.disabled = true;
        try {
          await call('POST', `/api/v1/drafts/${post.id}/legal-hold`, { hold: !post.legal_hold });
          showDraft(post.id, alertBox('ok', post.legal_hold ? 'Legal hold released' : 'Under legal hold', null));
        } catch (e) {
          hold.disabled = false;
          showError(result, e, 'Not changed');
        }
      },
    });
    return el('section', { class: 'card' },
      el('h2', { text: 'For compliance' }),
      el('div', { class: 'actions' },
        el('a', { class: 'button secondary', href: `/api/v1/drafts/${post.id}/history?format=jsonl`, download: `post-${post.id}-history.jsonl`, text: 'History (JSON lines)' }),
        el('a', { class: 'button secondary', href: `/api/v1/drafts/${post.id}/history?format=csv`, download: `post-${post.id}-history.csv`, text: 'History (CSV)' }),
        hold),
      result);
  }

  async function showEdit(post, latest) {
    const p = page(`Edit draft #${post.id}`);
    const box = el('div', {}, el('p', { class: 'loading', text: 'Loading…' }));
    main.append(box);
    try {
      await loadAccounts();
    } catch (e) {
      showError(box, e);
      return;
    }
    if (!current(p.view)) return;
    const c = composer({
      initial: {
        text: latest.text,
        kind: post.kind,
        channel: channelValue(post.channel),
        identifies_employer: post.identifies_employer,
        scheduled_at: post.scheduled_at,
        attachments: latest.attachments,
      },
      fixed: true,
      submitLabel: 'Resubmit',
      onSubmit: async (draft) => {
        draft.revision = post.revision;
        const answer = await call('PUT', `/api/v1/drafts/${post.id}`, draft);
        const status = answer.post.status;
        showDraft(post.id, alertBox(status === 'cleared' ? 'ok' : 'info', `Version ${answer.version} submitted`,
          status === 'cleared' ? 'Cleared: nothing in it needs a reviewer.' : 'Queued for review again.'));
      },
    });
    box.replaceChildren(
      el('p', {}, el('a', { href: `#/drafts/${post.id}`, text: `Back to draft #${post.id} without changes` })),
      c.node);
    c.focus();
  }

  // ----- 4. review queue -----

  async function showQueue() {
    const p = page('Review queue');
    const box = el('div', {}, el('p', { class: 'loading', text: 'Loading…' }));
    main.append(box);
    focusTitle(p);
    try {
      const answer = await call('GET', '/api/v1/queue');
      if (!current(p.view)) return;
      const queue = answer.queue || [];
      box.replaceChildren(
        el('p', { class: 'muted', text: queue.length ? `${queue.length} waiting, the longest waiting first.` : 'Nothing is waiting for review.' }),
        queue.length ? postsTable(queue, 'queue-table') : null);
    } catch (e) {
      showError(box, e);
    }
  }

  // ----- 5. compliance and administration -----

  async function showAudit() {
    const p = page('Audit');
    const verify = el('div', { id: 'audit-verify' }, el('p', { class: 'loading', text: 'Checking the audit chain…' }));
    const again = el('button', { type: 'button', class: 'secondary', text: 'Check again', onclick: () => run() });
    main.append(
      el('section', { class: 'card' },
        el('h2', { text: 'Audit chain' }),
        el('p', { class: 'muted', text: 'Each entry carries the hash of the one before it, so an entry altered, removed or reordered breaks the chain.' }),
        verify,
        el('div', { class: 'actions' }, again)),
      el('section', { class: 'card' },
        el('h2', { text: 'Exports' }),
        el('p', { class: 'muted', text: 'The whole audit log, for legal. Each download is itself recorded in the log.' }),
        el('div', { class: 'actions' },
          el('a', { class: 'button secondary', id: 'export-jsonl', href: '/api/v1/audit/export?format=jsonl', download: 'audit.jsonl', text: 'Audit log (JSON lines)' }),
          el('a', { class: 'button secondary', id: 'export-csv', href: '/api/v1/audit/export?format=csv', download: 'audit.csv', text: 'Audit log (CSV)' }))));
    focusTitle(p);
    async function run() {
      again.disabled = true;
      verify.replaceChildren(el('p', { class: 'loading', text: 'Checking the audit chain…' }));
      try {
        const answer = await call('GET', '/api/v1/audit/verify');
        if (!current(p.view)) return;
        verify.replaceChildren(answer.ok
          ? alertBox('ok', 'The chain is intact', `${answer.entries} entries checked.`)
          : alertBox('error', `The chain is broken at entry ${answer.first_bad_entry}`, answer.problem));
      } catch (e) {
        showError(verify, e);
      }
      again.disabled = false;
    }
    run();
  }

  async function showUsers() {
    const p = page('Users');
    const list = el('div', {}, el('p', { class: 'loading', text: 'Loading…' }));
    const roleSelect = (value, id) => el('select', { id }, ['staff', 'reviewer', 'compliance', 'admin']
      .map((r) => el('option', { value: r, text: ROLE_LABELS[r], selected: r === value })));
    const username = el('input', { type: 'text', id: 'new-username', autocomplete: 'off', required: true });
    const display = el('input', { type: 'text', id: 'new-display-name', autocomplete: 'off', required: true });
    const role = roleSelect('staff', 'new-role');
    const password = el('input', { type: 'password', id: 'new-password', autocomplete: 'new-password', required: true });
    const createResult = el('div', {});
    const create = el('form', { class: 'card', id: 'create-user', novalidate: true },
      el('h2', { text: 'Create a user' }),
      el('div', { class: 'row' }, field('Username', username), field('Display name', display)),
      el('div', { class: 'row' }, field('Role', role, 'Reviewers, compliance and administrators set up two-factor sign-in at their first sign-in.'),
        field('Password', password, 'At least 12 characters, hard to guess; give it to them privately.')),
      createResult,
      el('div', { class: 'actions' }, el('button', { type: 'submit', text: 'Create user' })));
    create.addEventListener('submit', async (event) => {
      event.preventDefault();
      createResult.replaceChildren();
      try {
        const answer = await call('POST', '/api/v1/users', {
          username: username.value.trim(), display_name: display.value.trim(), role: role.value, password: password.value,
        });
        createResult.replaceChildren(alertBox('ok', `Created ${answer.user.username}`, null));
        username.value = '';
        display.value = '';
        password.value = '';
        load();
      } catch (e) {
        showError(createResult, e, 'Not created');
      }
    });
    main.append(el('section', { class: 'card' }, el('h2', { text: 'Accounts' }), list), create);
    focusTitle(p);

    // Draws the table anew, with `notice` (what the last change did) above it.
    async function load(notice) {
      try {
        const answer = await call('GET', '/api/v1/users');
        if (!current(p.view)) return;
        const rowResult = el('div', { id: 'user-result' }, notice || null);
        list.replaceChildren(rowResult, el('div', { class: 'table-wrap' }, el('table', { id: 'users-table' },
          el('thead', {}, el('tr', {}, ['User', 'Name', 'Role', 'Two-factor', 'State', ''].map((h) => el('th', { scope: 'col', text: h })))),
          el('tbody', {}, (answer.users || []).map((u) => {
            const select = roleSelect(u.role, `role-${u.id}`);
            select.setAttribute('aria-label', `Role of ${u.username}`);
            const save = el('button', {
              type: 'button', class: 'secondary small', text: 'Change role',
              onclick: async () => {
                try {
                  await call('PUT', `/api/v1/users/${u.id}/role`, { role: select.value });
                  load(alertBox('ok', `${u.username} is now ${ROLE_LABELS[select.value]}`, null));
                } catch (e) {
                  showError(rowResult, e, `Role of ${u.username} not changed`);
                }
              },
            });
            const disable = u.disabled ? null : el('button', {
              type: 'button', class: 'danger small', text: 'Disable',
              onclick: async () => {
                if (!window.confirm(`Disable ${u.username}? Their sessions end at once.`)) return;
                try {
                  await call('POST', `/api/v1/users/${u.id}/disable`);
                  load(alertBox('ok', `${u.username} is disabled`, null));
                } catch (e) {
                  showError(rowResult, e, `${u.username} not disabled`);
                }
              },
            });
            const enable = u.disabled ? el('button', {
              type: 'button', class: 'secondary small', text: 'Enable',
              onclick: async () => {
                try {
                  await call('POST', `/api/v1/users/${u.id}/enable`);
                  load(alertBox('ok', `${u.username} is enabled again`, null));
                } catch (e) {
                  showError(rowResult, e, `${u.username} not enabled`);
                }
              },
            }) : null;
            const resetTotp = u.totp_enabled ? el('button', {
              type: 'button', class: 'danger small', text: 'Reset two-factor',
              onclick: async () => {
                if (!window.confirm(`Remove ${u.username}'s two-factor sign-in? Their sessions end; they enrol again at their next sign-in.`)) return;
                try {
                  await call('POST', `/api/v1/users/${u.id}/totp/reset`);
                  load(alertBox('ok', `${u.username}'s two-factor sign-in was removed`, null));
                } catch (e) {
                  showError(rowResult, e, `Two-factor of ${u.username} not reset`);
                }
              },
            }) : null;
            const newPassword = el('input', {
              type: 'password', id: `password-${u.id}`, autocomplete: 'new-password',
              'aria-label': `New password for ${u.username}`,
            });
            const setPassword = el('details', { class: 'set-password' },
              el('summary', { text: 'Set password' }),
              el('div', { class: 'actions' }, newPassword, el('button', {
                type: 'button', class: 'secondary small', text: 'Save password',
                onclick: async () => {
                  try {
                    const answer = await call('POST', `/api/v1/users/${u.id}/password`, { password: newPassword.value });
                    newPassword.value = '';
                    load(alertBox('ok', `New password set for ${u.username}`,
                      `Give it to them privately. ${answer.sessions_ended} session(s) ended.`));
                  } catch (e) {
                    showError(rowResult, e, `Password of ${u.username} not set`);
                  }
                },
              })));
            const locked = u.locked_until && new Date(u.locked_until) > new Date();
            return el('tr', {},
              el('td', { text: u.username }),
              el('td', { text: u.display_name }),
              el('td', {}, el('div', { class: 'actions' }, select, save)),
              el('td', {}, el('div', { class: 'actions' }, el('span', { text: u.totp_enabled ? 'on' : 'off' }), resetTotp)),
              el('td', { text: u.disabled ? 'disabled' : locked ? `locked until ${fmtTime(u.locked_until)}` : 'active' }),
              el('td', {}, el('div', { class: 'actions' }, disable, enable), setPassword));
          })))));
      } catch (e) {
        showError(list, e);
      }
    }
    load();
  }

  async function showTokens() {
    const p = page('API tokens');
    const list = el('div', {}, el('p', { class: 'loading', text: 'Loading…' }));
    const name = el('input', { type: 'text', id: 'token-name', autocomplete: 'off', required: true });
    const read = el('input', { type: 'checkbox', id: 'scope-read', checked: true });
    const write = el('input', { type: 'checkbox', id: 'scope-write' });
    const result = el('div', { id: 'token-result' });
    const form = el('form', { class: 'card', novalidate: true },
      el('h2', { text: 'Create a token' }),
      el('p', { class: 'muted', text: 'For tools that call the API as you: send it as “Authorization: Bearer …”. A read-only token may only read.' }),
      field('Name', name, 'What it is for, e.g. “scheduling tool”.'),
      el('fieldset', {}, el('legend', { text: 'Scopes' }),
        el('label', { class: 'inline' }, read, 'read'),
        el('label', { class: 'inline' }, write, 'write')),
      result,
      el('div', { class: 'actions' }, el('button', { type: 'submit', text: 'Create token' })));
    form.addEventListener('submit', async (event) => {
      event.preventDefault();
      result.replaceChildren();
      const scopes = [read.checked ? 'read' : null, write.checked ? 'write' : null].filter(Boolean);
      try {
        const answer = await call('POST', '/api/v1/tokens', { name: name.value.trim(), scopes });
        result.replaceChildren(alertBox('warn', 'Copy the token now: it is shown only this once.', null),
          el('code', { class: 'secret token', id: 'new-token', text: answer.token }));
        name.value = '';
        load();
      } catch (e) {
        showError(result, e, 'Not created');
      }
    });
    main.append(el('section', { class: 'card' }, el('h2', { text: 'Your tokens' }), list), form);
    focusTitle(p);

    async function load() {
      try {
        const answer = await call('GET', '/api/v1/tokens');
        if (!current(p.view)) return;
        const tokens = answer.tokens || [];
        const rowResult = el('div', {});
        list.replaceChildren(rowResult, tokens.length ? el('div', { class: 'table-wrap' }, el('table', { id: 'tokens-table' },
          el('thead', {}, el('tr', {}, ['Name', 'Scopes', 'Created', 'State', ''].map((h) => el('th', { scope: 'col', text: h })))),
          el('tbody', {}, tokens.map((t) => el('tr', {},
            el('td', { text: t.name }),
            el('td', { text: (t.scopes || []).join(', ') }),
            el('td', { text: fmtTime(t.created_at) }),
            el('td', { text: t.revoked_at ? `revoked ${fmtTime(t.revoked_at)}` : 'active' }),
            el('td', {}, t.revoked_at ? null : el('button', {
              type: 'button', class: 'danger small', text: 'Revoke', 'aria-label': `Revoke ${t.name}`,
              onclick: async () => {
                try {
                  await call('DELETE', `/api/v1/tokens/${t.id}`);
                  load();
                } catch (e) {
                  showError(rowResult, e, 'Not revoked');
                }
              },
            }))))))) : el('p', { class: 'muted', text: 'No tokens yet.' }));
      } catch (e) {
        showError(list, e);
      }
    }
    load();
  }

  async function showPassword() {
    const forced = Boolean(state.me && state.me.must_change_password);
    const p = page('Password', forced
      ? [alertBox('warn', 'Choose your own password', 'Your password was set for you (by an administrator, or as a one-time password). Choose your own to go on.')]
      : []);
    const currentPassword = el('input', { type: 'password', id: 'current-password', autocomplete: 'current-password', required: true });
    const newPassword = el('input', { type: 'password', id: 'new-own-password', autocomplete: 'new-password', required: true });
    const repeat = el('input', { type: 'password', id: 'repeat-own-password', autocomplete: 'new-password', required: true });
    const result = el('div', { id: 'password-result' });
    const form = el('form', { class: 'card', id: 'change-password', novalidate: true },
      el('h2', { text: 'Change your password' }),
      field('Current password', currentPassword),
      el('div', { class: 'row' },
        field('New password', newPassword, 'At least 12 characters, not your username, hard to guess.'),
        field('New password again', repeat)),
      result,
      el('div', { class: 'actions' }, el('button', { type: 'submit', text: 'Change password' })));
    form.addEventListener('submit', async (event) => {
      event.preventDefault();
      result.replaceChildren();
      if (newPassword.value !== repeat.value) {
        result.replaceChildren(alertBox('error', 'Not changed', 'The two new passwords differ.'));
        return;
      }
      try {
        const answer = await call('POST', '/api/v1/me/password', {
          current_password: currentPassword.value, new_password: newPassword.value,
        });
        for (const input of [currentPassword, newPassword, repeat]) input.value = '';
        if (state.me.must_change_password) {
          state.me.must_change_password = false;
          navigate('#/compose');
          return;
        }
        const others = answer.other_sessions_ended;
        result.replaceChildren(alertBox('ok', 'Password changed',
          others ? `You were signed out everywhere else (${others} session(s)).` : 'You stay signed in here.'));
      } catch (e) {
        showError(result, e, 'Not changed');
      }
    });
    main.append(form);
    focusTitle(p);
  }

  // ----- start -----

  async function boot() {
    document.getElementById('sign-out').addEventListener('click', signOut);
    window.addEventListener('hashchange', route);
    if (state.csrf) {
      try {
        const me = await api('GET', '/api/v1/me');
        state.me = me;
      } catch (e) {
        setCsrf(null);
        if (e instanceof ApiError && e.status === 401) {
          if (isScreen(window.location.hash)) state.returnTo = window.location.hash;
          showSignIn({ kind: 'warn', title: 'You are signed out', message: e.message });
          return;
        }
      }
    }
    route();
  }

  boot();
})();
