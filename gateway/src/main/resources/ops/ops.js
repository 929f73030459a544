// The ops page. Plain ES2020 in one file: no build step, no framework, nothing from another origin.
// Every figure and every action goes through the admin API (/admin/...), exactly as curl would call it,
// so auth, validation and the audit log are the same. Data is put into the page with textContent only.
'use strict';

(() => {
  const POLL_MILLIS = 2000;
  const CHART_MINUTES = 15;
  const AUDIT_ROWS = 40;
  const TOKEN_KEY = 'scoring-admin-token';
  const PALETTE = ['#0a58ca', '#d97706', '#1a7f37', '#8250df', '#cf222e', '#0891b2'];
  const PERCENTILES = [['p50', 'p50', []], ['p99', 'p99', [6, 3]], ['p999', 'p99.9', [2, 3]]];

  const $ = (id) => document.getElementById(id);

  // the token lives in this tab's session storage only (never a URL, never localStorage)
  let token = sessionStorage.getItem(TOKEN_KEY);
  let tokenRequired = true;
  let selectedModel = null;
  let models = [];
  let lastOkMillis = 0;
  let pollTimer = null;
  let polling = false;
  const previousRequests = new Map(); // model -> the last /requests report, for rates
  const latencyHistory = new Map(); // "model|version|role" -> [{t, p50, p99, p999}]
  let chart = null;
  let chartKeys = '';
  let lastDrift = null;

  class ApiError extends Error {
    constructor(status, message) {
      super(message);
      this.status = status;
    }
  }

  async function api(method, path, body) {
    const headers = { 'X-Scoring-Caller': 'ops-page' };
    if (token) headers.Authorization = 'Bearer ' + token;
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    let response;
    try {
      response = await fetch(path, {
        method, headers, cache: 'no-store', credentials: 'omit',
        body: body === undefined ? undefined : JSON.stringify(body),
      });
    } catch (e) {
      throw new ApiError(0, 'cannot reach the gateway');
    }
    let json = null;
    try {
      json = await response.json();
    } catch (e) {
      // not JSON: the status says enough
    }
    if (!response.ok) {
      throw new ApiError(response.status, json && json.error ? json.error : 'HTTP ' + response.status);
    }
    return json;
  }

  /** A GET whose 404 means "nothing here (yet)": answers null instead of failing. */
  async function optional(path) {
    try {
      return await api('GET', path);
    } catch (e) {
      if (e.status === 404) return null;
      throw e;
    }
  }

  const modelPath = (model) => '/admin/models/' + encodeURIComponent(model);

  // ---------------------------------------------------------------------------------------------
  // small DOM helpers

  function el(tag, text, className) {
    const node = document.createElement(tag);
    if (text !== undefined && text !== null) node.textContent = String(text);
    if (className) node.className = className;
    return node;
  }

  function row(cells) {
    const tr = document.createElement('tr');
    for (const cell of cells) {
      if (cell instanceof Node) {
        tr.appendChild(cell);
      } else {
        tr.appendChild(el('td', cell));
      }
    }
    return tr;
  }

  const td = (text, className) => el('td', text, className);
  const num = (text) => el('td', text, 'num');

  function fill(tbody, rows, emptyText, columns) {
    tbody.replaceChildren(...rows);
    if (rows.length === 0) {
      const cell = el('td', emptyText, 'hint');
      cell.colSpan = columns;
      tbody.appendChild(row([cell]));
    }
  }

  function fmt(value, digits = 3) {
    // Jackson writes a NaN (a figure with no data yet) as the string "NaN"
    if (value === null || value === undefined || Number.isNaN(value) || value === 'NaN') return '—';
    if (typeof value !== 'number') return String(value);
    if (Number.isInteger(value)) return value.toLocaleString('en-US');
    return Math.abs(value) >= 1000 ? Math.round(value).toLocaleString('en-US') : value.toPrecision(digits);
  }

  const micros = (value) => (value === null || value === undefined ? '—' : value >= 100 ? Math.round(value).toLocaleString('en-US') : value.toFixed(1));
  const percent = (value) => (value === null || value === undefined || Number.isNaN(value) ? '—' : (100 * value).toFixed(1) + ' %');
  const clock = (millis) => (millis ? new Date(millis).toLocaleTimeString('en-GB', { hour12: false }) : '—');

  /** The button with this aria-label (buttons rebuilt by a poll are told apart by it), or null. */
  const buttonLabelled = (label) => (label ? document.querySelector('button[aria-label="' + CSS.escape(label) + '"]') : null);

  /**
   * Rebuilds part of the page without taking a keyboard user's place: a focused button in it hands the
   * focus to its rebuilt twin.
   */
  function rebuildKeepingFocus(container, rebuild) {
    const focused = container.contains(document.activeElement) ? document.activeElement.getAttribute('aria-label') : null;
    rebuild();
    const twin = buttonLabelled(focused);
    if (twin && container.contains(twin)) twin.focus();
  }

  function setOptions(select, values, keep) {
    const previous = keep === undefined ? select.value : keep;
    // rebuilt only when the choices change: a list someone has open stays open
    const same = select.options.length === values.length &&
      values.every(([value, label], i) => select.options[i].value === value && select.options[i].textContent === label);
    if (!same) {
      select.replaceChildren(...values.map(([value, label]) => {
        const option = el('option', label);
        option.value = value;
        return option;
      }));
    }
    if (values.some(([value]) => value === previous)) select.value = previous;
  }

  // ---------------------------------------------------------------------------------------------
  // status, banner, confirmation

  function announce(text, failed) {
    const status = $('action-status');
    status.textContent = text;
    status.className = 'action-status ' + (failed ? 'failed' : 'done');
    if (failed) status.setAttribute('role', 'alert'); else status.setAttribute('role', 'status');
  }

  function showBanner(text) {
    const banner = $('banner');
    banner.textContent = text;
    banner.hidden = false;
    $('dashboard').classList.add('stale');
    $('connection').textContent = 'not updating';
    $('connection').className = 'connection down';
  }

  function clearBanner() {
    $('banner').hidden = true;
    $('dashboard').classList.remove('stale');
    $('connection').className = 'connection live';
  }

  let confirmAction = null;

  /** Asks before a change; runs it on Confirm and reports the API's answer in its own words. */
  function confirmThen(title, text, detail, action, done) {
    $('confirm-title').textContent = title;
    $('confirm-text').textContent = text;
    $('confirm-detail').textContent = detail || '';
    $('confirm-detail').hidden = !detail;
    confirmAction = { action, done, opener: document.activeElement };
    $('confirm').returnValue = '';
    $('confirm').showModal();
  }

  $('confirm').addEventListener('close', async () => {
    const pending = confirmAction;
    confirmAction = null;
    if (!pending) return;
    // back where the user was; a button rebuilt by a poll meanwhile by its twin
    const opener = pending.opener && (pending.opener.isConnected ? pending.opener : buttonLabelled(pending.opener.getAttribute('aria-label')));
    if (opener && opener.focus) opener.focus();
    if ($('confirm').returnValue !== 'ok') {
      announce('Cancelled: nothing was changed.', false);
      return;
    }
    announce('Working…', false);
    try {
      await pending.action();
      announce(pending.done, false);
    } catch (e) {
      announce('Refused: ' + e.message + (e.status ? ' (HTTP ' + e.status + ')' : ''), true);
    }
    refresh();
  });

  // ---------------------------------------------------------------------------------------------
  // sign in

  async function start() {
    try {
      await api('GET', '/admin/models');
      tokenRequired = Boolean(token);
      showDashboard();
    } catch (e) {
      if (e.status === 401) {
        const hadToken = Boolean(token);
        forgetToken();
        showSignIn(hadToken ? e.message : '');
      } else {
        showBanner('The gateway did not answer (' + e.message + '). Retrying…');
        setTimeout(start, POLL_MILLIS);
      }
    }
  }

  function forgetToken() {
    token = null;
    sessionStorage.removeItem(TOKEN_KEY);
  }

  function showSignIn(message) {
    stopPolling();
    $('dashboard').hidden = true;
    $('model-pick').hidden = true;
    $('sign-out').hidden = true;
    $('signin').hidden = false;
    $('signin-error').textContent = message;
    $('connection').textContent = 'signed out';
    $('connection').className = 'connection';
    $('token').value = '';
    $('token').focus();
  }

  $('signin-form').addEventListener('submit', async (event) => {
    event.preventDefault();
    const presented = $('token').value.trim();
    if (!presented) {
      $('signin-error').textContent = 'Enter the admin token.';
      return;
    }
    token = presented;
    $('signin-error').textContent = 'Checking…';
    try {
      await api('GET', '/admin/models');
      sessionStorage.setItem(TOKEN_KEY, token);
      tokenRequired = true;
      showDashboard();
    } catch (e) {
      token = null;
      $('signin-error').textContent = e.status === 401 ? 'Refused: ' + e.message : e.message;
      $('token').select();
    }
  });

  $('sign-out').addEventListener('click', () => {
    forgetToken();
    showSignIn('Signed out.');
  });

  function showDashboard() {
    $('signin').hidden = true;
    $('dashboard').hidden = false;
    $('model-pick').hidden = false;
    $('sign-out').hidden = !tokenRequired;
    clearBanner();
    startPolling();
  }

  // ---------------------------------------------------------------------------------------------
  // polling: every figure at most POLL_MILLIS (plus the calls' time) behind

  function startPolling() {
    stopPolling();
    refresh();
    pollTimer = setInterval(refresh, POLL_MILLIS);
  }

  function stopPolling() {
    if (pollTimer) clearInterval(pollTimer);
    pollTimer = null;
  }

  async function refresh() {
    if (polling) return; // one round at a time: never queue calls behind a slow gateway
    polling = true;
    try {
      const list = await api('GET', '/admin/models');
      models = list.models;
      renderModelPicker();
      const model = models.find((m) => m.name === selectedModel);
      if (model) {
        const path = modelPath(model.name);
        // one after another: the admin API answers reads on one thread, in order
        const requests = await api('GET', path + '/requests');
        const latency = await api('GET', path + '/latency');
        const comparison = await api('GET', path + '/comparison');
        const accuracy = await api('GET', path + '/accuracy');
        const drift = await api('GET', path + '/drift');
        const rollout = await optional(path + '/rollout');
        const health = await optional(path + '/health');
        const audit = await api('GET', '/admin/audit');
        renderVersions(model, requests);
        renderControls(model);
        renderLatency(model, latency);
        renderComparison(comparison);
        renderAccuracy(accuracy);
        renderDrift(drift);
        renderRollout(model, rollout, audit.audit);
        renderHealth(health);
        renderAudit(audit.audit);
      }
      lastOkMillis = Date.now();
      clearBanner();
      $('connection').textContent = (tokenRequired ? '' : 'no admin token set (loopback only) · ') +
        'live · updated ' + clock(lastOkMillis);
    } catch (e) {
      if (e.status === 401) {
        forgetToken();
        showSignIn('Refused: ' + e.message);
      } else {
        const since = lastOkMillis ? ' The figures below are from ' + clock(lastOkMillis) + ' and are not updating.' : '';
        const why = e.status === 503
          ? 'The gateway is draining or overloaded: ' + e.message + '.'
          : e.status === 0
            ? 'Cannot reach the gateway: it may be draining, stopped or restarting.'
            : 'An admin call failed: ' + e.message + ' (HTTP ' + e.status + ').';
        showBanner(why + since + ' Retrying every ' + POLL_MILLIS / 1000 + ' s.');
      }
    } finally {
      polling = false;
    }
  }

  function renderModelPicker() {
    const names = models.map((m) => [m.name, m.name]);
    if (!selectedModel || !models.some((m) => m.name === selectedModel)) {
      selectedModel = models.length ? models[0].name : null;
    }
    setOptions($('model-select'), names, selectedModel);
  }

  $('model-select').addEventListener('change', () => {
    selectedModel = $('model-select').value;
    lastDrift = null;
    refresh();
  });

  // ---------------------------------------------------------------------------------------------
  // versions, policy and request rates

  function rolesOf(model) {
    const roles = new Map();
    const traffic = model.traffic;
    roles.set(traffic.champion, 'champion');
    if (traffic.canary) roles.set(traffic.canary.version, 'canary ' + traffic.canary.percent + ' %');
    for (const shadow of traffic.shadows) roles.set(shadow.version, 'shadow ' + shadow.percent + ' %');
    return roles;
  }

  function policyText(traffic) {
    const parts = ['champion ' + traffic.champion];
    parts.push(traffic.canary ? 'canary ' + traffic.canary.version + ' at ' + traffic.canary.percent + ' %' : 'no canary');
    parts.push(traffic.shadows.length
      ? 'shadows ' + traffic.shadows.map((s) => s.version + ' at ' + s.percent + ' %').join(', ')
      : 'no shadows');
    return parts.join(' · ');
  }

  function renderVersions(model, requests) {
    const roles = rolesOf(model);
    $('policy-summary').textContent = policyText(model.traffic);
    const previous = previousRequests.get(model.name);
    previousRequests.set(model.name, requests);
    const seconds = previous ? (requests.at_millis - previous.at_millis) / 1000 : 0;
    const perVersion = new Map();
    for (const counts of requests.versions) {
      const before = previous && previous.versions.find((v) => v.version === counts.version && v.role === counts.role);
      const entry = perVersion.get(counts.version) || { total: 0, rate: 0, errorRate: 0, known: false };
      entry.total += counts.total;
      if (before && seconds > 0) {
        entry.rate += (counts.total - before.total) / seconds;
        entry.errorRate += (counts.errors - before.errors) / seconds;
        entry.known = true;
      }
      perVersion.set(counts.version, entry);
    }
    const rows = model.versions.map((version) => {
      const role = roles.get(version.version) || '—';
      const roleCell = td(role, role.startsWith('champion') ? 'role-champion' : role.startsWith('canary') ? 'role-canary' : '');
      roleCell.classList.add('role');
      const stateCell = td(version.state + (version.error ? ': ' + version.error : ''), 'state state-' + version.state);
      const counts = perVersion.get(version.version);
      const rate = num(counts && counts.known ? counts.rate.toFixed(1) : '—');
      rate.classList.add('rps');
      const errors = num(counts && counts.known ? counts.errorRate.toFixed(2) : '—');
      errors.classList.add('errors');
      const total = num(counts ? counts.total.toLocaleString('en-US') : '0');
      total.classList.add('total');
      const actions = el('td');
      if (!roles.has(version.version)) {
        const unload = el('button', 'Unload');
        unload.type = 'button';
        unload.setAttribute('aria-label', 'Unload version ' + version.version);
        unload.addEventListener('click', () => confirmThen('Unload version ' + version.version + '?',
          'Version ' + version.version + ' of ' + model.name + ' carries no traffic. Requests still holding it finish first.',
          'POST ' + modelPath(model.name) + '/versions/' + version.version + '/unload',
          () => api('POST', modelPath(model.name) + '/versions/' + encodeURIComponent(version.version) + '/unload'),
          'Version ' + version.version + ' unloaded.'));
        actions.appendChild(unload);
      }
      const tr = row([el('th', version.version), stateCell, td(version.runtime), roleCell, rate, errors, total, actions]);
      tr.firstChild.scope = 'row';
      tr.dataset.version = version.version;
      return tr;
    });
    const tbody = $('versions').tBodies[0];
    rebuildKeepingFocus(tbody, () => fill(tbody, rows, 'No versions.', 8));
  }

  // ---------------------------------------------------------------------------------------------
  // steering: every change is a PUT of the whole policy, or a POST, through the admin API

  function readyVersions(model) {
    return model.versions.filter((v) => v.state === 'READY').map((v) => v.version);
  }

  function renderControls(model) {
    const traffic = model.traffic;
    const candidates = readyVersions(model).filter((v) => v !== traffic.champion);
    const canaryVersion = $('canary-version');
    const editing = document.activeElement;
    setOptions(canaryVersion, [['', '(no canary)'], ...candidates.map((v) => [v, 'version ' + v])],
      editing === canaryVersion ? undefined : traffic.canary ? traffic.canary.version : canaryVersion.value || candidates[0] || '');
    if (editing !== $('canary-percent') && !$('canary-percent').dataset.dirty) {
      $('canary-percent').value = traffic.canary ? traffic.canary.percent : 0;
    }
    // rebuilt only when the shadows change, and never under a field being typed in: no edit or focus is lost to a poll
    const shadowList = $('shadow-list');
    const shadows = model.name + ' ' + JSON.stringify(traffic.shadows);
    const typing = shadowList.contains(document.activeElement) && document.activeElement.tagName === 'INPUT';
    if (shadows !== renderedShadows && !typing) {
      renderedShadows = shadows;
      rebuildKeepingFocus(shadowList, () => {
        shadowList.replaceChildren(...traffic.shadows.map((shadow) => shadowItem(shadow)));
        if (traffic.shadows.length === 0) shadowList.appendChild(el('li', 'No shadows.', 'hint'));
      });
    }
    const taken = new Set([traffic.champion, traffic.canary && traffic.canary.version, ...traffic.shadows.map((s) => s.version)]);
    setOptions($('shadow-version'), readyVersions(model).filter((v) => !taken.has(v)).map((v) => [v, 'version ' + v]));
    $('shadow-add').disabled = $('shadow-version').options.length === 0;
    $('promote').disabled = !traffic.canary;
    $('rollback').disabled = !previousChampion(model);
    $('champion-history').textContent = 'Previous champions (latest first): ' +
      (model.champion_history.length ? model.champion_history.join(', ') : 'none yet');
  }

  /** The version a rollback returns to: the latest previous champion still loaded (as the API picks it). */
  function previousChampion(model) {
    return model.champion_history.find((v) => readyVersions(model).includes(v));
  }

  let renderedShadows = '';

  // the policy each change edits is the one last read (currentModel), not the one this item was built from
  function shadowItem(shadow) {
    const item = el('li');
    const id = 'shadow-percent-' + shadow.version;
    const label = el('label', 'Shadow ' + shadow.version + ' (%)');
    label.htmlFor = id;
    const input = el('input');
    input.type = 'number';
    input.id = id;
    input.min = '0';
    input.max = '100';
    input.step = '0.01';
    input.value = shadow.percent;
    const change = el('button', 'Set');
    change.type = 'button';
    change.setAttribute('aria-label', 'Set shadow ' + shadow.version + ' sample');
    change.addEventListener('click', () => {
      const percentValue = Number(input.value);
      changePolicy(currentModel(), (p) => {
        p.shadows = p.shadows.map((s) => (s.version === shadow.version ? { version: s.version, percent: percentValue } : s));
      }, 'Set shadow ' + shadow.version + ' to ' + input.value + ' %?', 'Shadow ' + shadow.version + ' now samples ' + input.value + ' %.');
    });
    const remove = el('button', 'Remove');
    remove.type = 'button';
    remove.setAttribute('aria-label', 'Remove shadow ' + shadow.version);
    remove.addEventListener('click', () => changePolicy(currentModel(), (p) => {
      p.shadows = p.shadows.filter((s) => s.version !== shadow.version);
    }, 'Remove shadow ' + shadow.version + '?', 'Shadow ' + shadow.version + ' removed.'));
    item.append(label, input, change, remove);
    return item;
  }

  function currentModel() {
    return models.find((m) => m.name === selectedModel);
  }

  /** Copies the policy as last read, lets edit() change it, and PUTs it after a confirmation. */
  function changePolicy(model, edit, question, done) {
    const policy = JSON.parse(JSON.stringify(model.traffic));
    edit(policy);
    if (!policy.canary) delete policy.canary;
    confirmThen(question, 'The whole traffic policy of ' + model.name + ' is replaced:',
      'before: ' + policyText(model.traffic) + '\nafter:  ' + policyText({ ...policy, canary: policy.canary || null }),
      () => api('PUT', modelPath(model.name) + '/traffic', policy), done);
  }

  $('canary-percent').addEventListener('input', () => { $('canary-percent').dataset.dirty = '1'; });

  $('canary-form').addEventListener('submit', (event) => {
    event.preventDefault();
    const model = currentModel();
    if (!model) return;
    const version = $('canary-version').value;
    const raw = $('canary-percent').value;
    const percentValue = Number(raw);
    delete $('canary-percent').dataset.dirty;
    if (!version) {
      changePolicy(model, (p) => { p.canary = null; }, 'Remove the canary?', 'The canary was removed.');
      return;
    }
    changePolicy(model, (p) => { p.canary = { version, percent: raw === '' ? NaN : percentValue }; },
      'Set canary ' + version + ' to ' + raw + ' %?', 'Canary ' + version + ' now takes ' + raw + ' % of the traffic.');
  });

  $('shadow-add-form').addEventListener('submit', (event) => {
    event.preventDefault();
    const model = currentModel();
    const version = $('shadow-version').value;
    const raw = $('shadow-percent').value;
    if (!model || !version) return;
    changePolicy(model, (p) => { p.shadows = [...p.shadows, { version, percent: Number(raw) }]; },
      'Add shadow ' + version + ' at ' + raw + ' %?', 'Shadow ' + version + ' added.');
  });

  $('load-form').addEventListener('submit', (event) => {
    event.preventDefault();
    const model = currentModel();
    const version = $('load-version').value.trim();
    if (!model || !version) {
      announce('Refused: enter the version to load.', true);
      return;
    }
    confirmThen('Load version ' + version + '?', 'The gateway loads, validates and warms up version ' + version +
      ' of ' + model.name + ' from its model repository. It takes no traffic until you give it some.',
      'POST ' + modelPath(model.name) + '/versions/' + version + '/load',
      () => api('POST', modelPath(model.name) + '/versions/' + encodeURIComponent(version) + '/load'),
      'Version ' + version + ' loaded.');
  });

  $('promote').addEventListener('click', () => {
    const model = currentModel();
    if (!model || !model.traffic.canary) return;
    confirmThen('Promote canary ' + model.traffic.canary.version + '?', 'Version ' + model.traffic.canary.version +
      ' becomes the champion of ' + model.name + ' and takes all the traffic; champion ' + model.traffic.champion +
      ' stays loaded as the rollback target.', 'POST ' + modelPath(model.name) + '/promote',
      () => api('POST', modelPath(model.name) + '/promote'), 'Promoted.');
  });

  $('rollback').addEventListener('click', () => {
    const model = currentModel();
    if (!model) return;
    const previous = previousChampion(model);
    if (!previous) return;
    confirmThen('Roll back ' + model.name + ' to version ' + previous + '?', 'Version ' + previous +
      ', the previous champion, takes all the live traffic again; champion ' + model.traffic.champion + ' stays loaded.', 'POST ' + modelPath(model.name) + '/rollback',
      () => api('POST', modelPath(model.name) + '/rollback'), 'Rolled back.');
  });

  // ---------------------------------------------------------------------------------------------
  // latency: a table of the last interval and a chart of the intervals seen since the page opened

  function renderLatency(model, report) {
    $('latency-hint').textContent = 'Percentiles of each ' + report.interval_millis / 1000 +
      ' s interval, in microseconds, from the gateway\'s HdrHistogram recorders; the chart keeps the last ' +
      CHART_MINUTES + ' minutes seen by this page.';
    const horizon = Date.now() - CHART_MINUTES * 60000;
    const rows = [];
    // every role a version may take has a recorder; show those it has served in
    for (const v of report.versions.filter((r) => r.since_start.count > 0)) {
      const key = model.name + '|' + v.version + '|' + v.role;
      const series = latencyHistory.get(key) || [];
      const last = v.last_interval;
      if (v.interval_end_millis && last.count > 0 && !series.some((p) => p.t === v.interval_end_millis)) {
        series.push({ t: v.interval_end_millis, p50: last.p50, p99: last.p99, p999: last.p999 });
      }
      latencyHistory.set(key, series.filter((p) => p.t >= horizon));
      const tr = row([el('th', v.version), td(v.role, 'role-' + v.role), td(clock(v.interval_end_millis), 'interval-end'),
        num(fmt(last.count)), num(micros(last.p50)), num(micros(last.p99)), num(micros(last.p999)), num(micros(last.max))]);
      tr.firstChild.scope = 'row';
      tr.dataset.version = v.version;
      tr.dataset.role = v.role;
      tr.dataset.intervalEnd = String(v.interval_end_millis);
      tr.cells[4].classList.add('p50');
      tr.cells[5].classList.add('p99');
      tr.cells[6].classList.add('p999');
      rows.push(tr);
    }
    fill($('latency').tBodies[0], rows, 'No requests recorded yet.', 8);
    drawChart(model);
  }

  function drawChart(model) {
    if (typeof uPlot === 'undefined') return; // the library failed to load: the table still has the figures
    const keys = [...latencyHistory.keys()].filter((k) => k.startsWith(model.name + '|') && latencyHistory.get(k).length);
    const times = [...new Set(keys.flatMap((k) => latencyHistory.get(k).map((p) => p.t)))].sort((a, b) => a - b);
    const data = [times.map((t) => t / 1000)];
    const series = [{}];
    keys.forEach((key, i) => {
      const [, version, role] = key.split('|');
      const byTime = new Map(latencyHistory.get(key).map((p) => [p.t, p]));
      for (const [field, label, dash] of PERCENTILES) {
        series.push({ label: version + ' ' + role + ' ' + label, stroke: PALETTE[i % PALETTE.length], dash, width: 1.5,
          spanGaps: false, value: (u, v) => (v === null || v === undefined ? '—' : micros(v) + ' µs') });
        data.push(times.map((t) => (byTime.has(t) ? byTime.get(t)[field] : null)));
      }
    });
    const container = $('latency-chart');
    const width = Math.max(300, container.clientWidth || 600);
    const signature = keys.join(',') + '@' + width;
    if (!chart || chartKeys !== signature) {
      if (chart) chart.destroy();
      container.replaceChildren();
      chartKeys = signature;
      chart = new uPlot({
        width, height: 240, series,
        scales: { x: { time: true }, y: { distr: 3 } },
        axes: [{}, { label: 'µs (log)', size: 60 }],
        legend: { live: false },
      }, data, container);
    } else {
      chart.setData(data);
    }
  }

  window.addEventListener('resize', () => { chartKeys = ''; });

  // ---------------------------------------------------------------------------------------------
  // comparison, accuracy, drift

  function renderComparison(report) {
    const rows = report.challengers.map((c) => row([el('th', c.version), td(c.role), td(c.champion_version),
      num(fmt(c.pairs)), num(percent(c.agreement)), num(fmt(c.delta_mean)), num(fmt(c.delta_p95)),
      num(micros(c.latency_p50_diff_micros)), num(micros(c.latency_p99_diff_micros))]));
    fill($('comparison').tBodies[0], rows, 'No challenger has scored sampled requests beside the champion yet (a canary or a shadow does).', 9);
  }

  function renderAccuracy(report) {
    const rows = report.versions.map((v) => row([el('th', v.version), num(fmt(v.labels)), num(fmt(v.positives)),
      num(fmt(v.auc)), num(fmt(v.log_loss)), num(fmt(v.cost_per_decision))]));
    fill($('accuracy').tBodies[0], rows, 'No labels yet: POST /v1/feedback joins a label to a prediction.', 6);
  }

  function renderDrift(report) {
    lastDrift = report;
    const versionSelect = $('drift-version');
    setOptions(versionSelect, report.versions.map((v) => [v.version, 'version ' + v.version]));
    const drift = report.versions.find((v) => v.version === versionSelect.value);
    if (!drift) {
      $('drift-hint').textContent = 'No version has a drift evaluation yet (it needs sampled requests).';
      fill($('drift').tBodies[0], [], 'No drift evaluation yet.', 7);
      renderDistribution(null);
      return;
    }
    const tests = drift.features.length || 1;
    $('drift-hint').textContent = drift.evaluated
      ? 'Evaluated at ' + clock(drift.evaluated_at_millis) + ' over ' + fmt(drift.window_rows) + ' sampled rows; p-values are ' +
        'Bonferroni-corrected (× ' + tests + ' features), an alarm is p < ' + (drift.corrected_alpha * tests).toPrecision(2) +
        ' after correction or PSI > ' + drift.psi_threshold + '.'
      : 'Waiting for enough sampled rows: ' + fmt(drift.window_rows) + ' so far.';
    const rows = drift.features.map((f) => {
      const corrected = Number.isFinite(f.p_value) ? Math.min(1, f.p_value * tests) : NaN;
      const tr = row([el('th', f.feature), td(f.method === 'ks' ? 'KS' : 'χ²'), num(fmt(f.statistic)), num(fmt(corrected)),
        num(fmt(f.psi)), num(fmt(f.rows)), td(f.alarm ? 'ALARM' : 'no', f.alarm ? 'alarm' : '')]);
      tr.firstChild.scope = 'row';
      return tr;
    });
    fill($('drift').tBodies[0], rows, 'Not evaluated yet.', 7);
    setOptions($('drift-feature'), drift.features.map((f) => [f.feature, f.feature]));
    renderDistribution(drift.features.find((f) => f.feature === $('drift-feature').value));
  }

  function renderDistribution(feature) {
    const tbody = $('distribution-table').tBodies[0];
    if (!feature || !feature.distribution) {
      $('distribution-title').textContent = 'Reference and current distributions: pick a feature once drift is evaluated.';
      tbody.replaceChildren();
      return;
    }
    const d = feature.distribution;
    $('distribution-title').textContent = feature.feature + ': training reference (grey) against the current window (blue)';
    const max = Math.max(...d.reference, ...d.current, 1e-9);
    tbody.replaceChildren(...d.bins.map((bin, i) => row([td(bin), bar(d.reference[i], max, 'reference'), bar(d.current[i], max, 'current')])));
  }

  function bar(share, max, kind) {
    const cell = el('td', null, 'bar ' + kind);
    const span = el('span');
    span.style.width = Math.round(100 * share / max) + 'px';
    cell.append(span, document.createTextNode(percent(share)));
    return cell;
  }

  $('drift-version').addEventListener('change', () => { if (lastDrift) renderDrift(lastDrift); });
  $('drift-feature').addEventListener('change', () => { if (lastDrift) renderDrift(lastDrift); });

  // ---------------------------------------------------------------------------------------------
  // rollouts (POST/GET /admin/models/{m}/rollout and its actions) and health probes

  const ROLLOUT_ACTIVE = new Set(['running', 'paused', 'waiting_confirm']);

  function keyValues(object, skip) {
    return Object.entries(object).filter(([k, v]) => !skip.includes(k) && (v === null || typeof v !== 'object'))
      .map(([k, v]) => k + ' ' + fmt(v)).join(' · ');
  }

  function checkFigures(check) {
    const figures = check.figures && typeof check.figures === 'object' ? keyValues(check.figures, []) : '';
    return [keyValues(check, ['name', 'verdict']), figures].filter((t) => t).join(' · ');
  }

  function checksTable(caption, checks) {
    const table = el('table', null, 'grid');
    table.appendChild(el('caption', caption));
    table.appendChild(el('thead')).appendChild(row([el('th', 'Check'), el('th', 'Verdict'), el('th', 'Figures')]));
    const body = table.appendChild(el('tbody'));
    for (const check of checks) {
      body.appendChild(row([el('th', check.name), td(check.verdict, 'verdict-' + check.verdict), td(checkFigures(check), 'kv')]));
    }
    return table;
  }

  const when = (iso) => (iso ? new Date(iso).toLocaleString('en-GB', { hour12: false }) : '');

  function renderRollout(model, rollout, audit) {
    const now = $('rollout-now');
    const active = rollout && ROLLOUT_ACTIVE.has(rollout.state);
    if (!rollout) {
      now.replaceChildren(el('p', 'No rollout for this model.', 'hint'));
    } else {
      const plan = rollout.plan || {};
      const steps = Array.isArray(plan.steps) ? plan.steps : Array.isArray(rollout.steps) && typeof rollout.steps[0] === 'number' ? rollout.steps : null;
      const where = rollout.phase === 'replay_gate' ? 'replay gate'
        : rollout.step && rollout.step_count ? 'step ' + rollout.step + ' of ' + rollout.step_count : '';
      const summary = el('p', null, 'summary');
      summary.append(el('strong', rollout.state.replace('_', ' ')), document.createTextNode(
        ' · candidate ' + rollout.version + (rollout.champion ? ' against champion ' + rollout.champion : '') +
        ' · canary at ' + rollout.percent + ' %' + (steps ? ' · steps ' + steps.join(' → ') + ' %' : '') +
        (where ? ' · ' + where : '') + (rollout.waiting_for ? ' · waiting for ' + rollout.waiting_for : '') +
        (rollout.reason ? ' · ' + rollout.reason : '')));
      const parts = [summary];
      const checks = Array.isArray(rollout.checks) ? rollout.checks : [];
      if (checks.length) {
        parts.push(checksTable(rollout.phase === 'replay_gate' ? 'Replay gate checks' : 'Checks of the current step', checks));
      }
      const passed = Array.isArray(rollout.steps) ? rollout.steps.filter((s) => s && typeof s === 'object') : [];
      if (passed.length) {
        parts.push(el('h3', 'Steps decided'));
        const list = el('ol', null, 'timeline');
        for (const s of passed) {
          list.appendChild(el('li', 'step ' + s.step + ' at ' + s.percent + ' %: ' + s.verdict + (s.decided ? ' · ' + when(s.decided) : '')));
        }
        parts.push(list);
      }
      const timeline = ['timeline', 'decisions', 'events'].map((k) => rollout[k]).find(Array.isArray);
      if (timeline && timeline.length) {
        parts.push(el('h3', 'Decisions'));
        const list = el('ol', null, 'timeline');
        for (const entry of timeline) {
          list.appendChild(el('li', typeof entry !== 'object' ? entry
            : [when(entry.time), entry.event, entry.detail].filter((t) => t).join(' · ')));
        }
        parts.push(list);
      }
      now.replaceChildren(...parts);
    }
    const state = rollout ? rollout.state : null;
    $('rollout-pause').disabled = state !== 'running';
    $('rollout-resume').disabled = state !== 'paused';
    $('rollout-confirm').disabled = state !== 'waiting_confirm';
    $('rollout-abort').disabled = !active;
    $('rollout-start').disabled = Boolean(active);
    const candidates = readyVersions(model).filter((v) => v !== model.traffic.champion);
    setOptions($('rollout-version'), candidates.map((v) => [v, 'version ' + v]));
    // past rollouts: the gateway's own history where it keeps one, else what the audit log says
    const history = rollout && Array.isArray(rollout.history) ? rollout.history : null;
    const items = history
      ? history.map((h) => el('li', [when(h.started), 'version ' + h.version, h.state, h.reason].filter((t) => t).join(' · ')))
      : audit.filter((e) => e.model === model.name && /rollout/i.test(e.action)).reverse().slice(0, 20)
        .map((e) => el('li', when(e.time) + ' · ' + e.action + ' · ' + e.caller));
    $('rollout-past').replaceChildren(...items);
    if (!items.length) $('rollout-past').appendChild(el('li', 'None.', 'hint'));
  }

  function rolloutAction(action, question, text) {
    $('rollout-' + action).addEventListener('click', () => {
      const model = currentModel();
      if (!model) return;
      confirmThen(question, text, 'POST ' + modelPath(model.name) + '/rollout/' + action,
        () => api('POST', modelPath(model.name) + '/rollout/' + action), 'Rollout: ' + action + ' done.');
    });
  }

  rolloutAction('pause', 'Pause the rollout?', 'The canary keeps its current weight; no further step is taken until you resume.');
  rolloutAction('resume', 'Resume the rollout?', 'The rollout goes on judging and stepping from where it paused.');
  rolloutAction('confirm', 'Confirm the promotion?', 'The candidate becomes the champion.');
  rolloutAction('abort', 'Abort the rollout?', 'Traffic returns to the champion; the candidate stays loaded.');

  $('rollout-form').addEventListener('submit', (event) => {
    event.preventDefault();
    const model = currentModel();
    if (!model) return;
    const body = {
      version: $('rollout-version').value,
      steps: $('rollout-steps').value.split(',').map((s) => s.trim()).filter((s) => s).map(Number),
      step_seconds: Number($('rollout-step-seconds').value),
      min_requests: Number($('rollout-min-requests').value),
    };
    if ($('rollout-wait-confirm').checked) body.confirm = true;
    confirmThen('Start a rollout of version ' + body.version + '?', 'The gateway steps the canary through ' +
      body.steps.join(', ') + ' %, judging each step, and promotes or rolls back by itself.',
      'POST ' + modelPath(model.name) + '/rollout\n' + JSON.stringify(body, null, 2),
      () => api('POST', modelPath(model.name) + '/rollout', body), 'Rollout started.');
  });

  function renderHealth(health) {
    const box = $('health');
    const versions = health && (Array.isArray(health.versions) ? health.versions : Array.isArray(health) ? health : null);
    if (!versions) {
      box.replaceChildren(el('p', 'No health probe results: this gateway reports none for this model yet.', 'hint'));
      return;
    }
    const table = el('table', null, 'grid');
    table.appendChild(el('thead')).appendChild(row([el('th', 'Version'), el('th', 'Result'), el('th', 'Figures')]));
    const body = table.appendChild(el('tbody'));
    for (const v of versions) {
      const result = v.result || v.status || v.verdict || '';
      body.appendChild(row([el('th', v.version), td(result, 'verdict-' + String(result).toUpperCase()), td(keyValues(v, ['version', 'result', 'status', 'verdict']), 'kv')]));
    }
    box.replaceChildren(table);
  }

  // ---------------------------------------------------------------------------------------------
  // audit log

  function change(entry) {
    const before = entry.before && entry.before.traffic;
    const after = entry.after && entry.after.traffic;
    if (before && after && JSON.stringify(before) !== JSON.stringify(after)) {
      return policyText(before) + ' → ' + policyText(after);
    }
    const versions = (e) => (e && e.versions ? e.versions.map((v) => v.version).join(', ') : '');
    if (versions(entry.before) !== versions(entry.after)) {
      return 'versions ' + (versions(entry.before) || 'none') + ' → ' + (versions(entry.after) || 'none');
    }
    return '';
  }

  function renderAudit(audit) {
    const rows = audit.slice(-AUDIT_ROWS).reverse().map((e) => row([
      td(new Date(e.time).toLocaleString('en-GB', { hour12: false })), td(e.caller), td(e.action), td(e.model), td(change(e), 'kv')]));
    fill($('audit').tBodies[0], rows, 'No changes yet.', 5);
  }

  start();
})();
