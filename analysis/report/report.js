/* cgsim report: draws the page's charts as SVG from the JSON element #cgsim-data (written by
 * analysis/an_html*.c; embedded by analysis/report/embed.cmake). No network, no libraries.
 * Each group section has one time view shared by its timeline, stalled and lag charts: wheel
 * zooms around the pointer, drag pans, double-click resets. Ownership spans are drawn once in
 * time units under a scale transform, so zooming redraws only axes, bands, markers and series.
 * When done, <body data-rendered> holds what was drawn (the browser test reads the DOM). */
(function () {
  'use strict';
  var NS = 'http://www.w3.org/2000/svg';
  var D = JSON.parse(document.getElementById('cgsim-data').textContent);
  var PAL = ['#1f77b4', '#ff7f0e', '#2ca02c', '#9467bd', '#8c564b', '#e377c2', '#17becf',
             '#bcbd22', '#7f7f7f', '#d62728', '#aec7e8', '#ffbb78'];
  var HEAT = ['#deebf7', '#c6dbef', '#9ecae1', '#6baed6', '#4292c6', '#2171b5', '#08519c',
              '#08306b'];
  var W = 1150, ML = 170, MR = 16, PW = W - ML - MR, TOP = 24;
  var MAX_SCALED_PX = 4e6;   /* float precision of SVG transforms: a zoom limit */
  var tip = document.createElement('div');
  tip.id = 'tip';
  document.body.appendChild(tip);

  function el(tag, attrs, parent) {
    var e = document.createElementNS(NS, tag);
    for (var k in attrs) e.setAttribute(k, attrs[k]);
    if (parent) parent.appendChild(e);
    return e;
  }
  function text(parent, x, y, s, attrs) {
    var t = el('text', attrs || {}, parent);
    t.setAttribute('x', x);
    t.setAttribute('y', y);
    t.textContent = s;
    return t;
  }
  function title(e, s) { el('title', {}, e).textContent = s; }
  function clear(e) { while (e.firstChild) e.removeChild(e.firstChild); }
  function num(v, d) {
    if (v === null || v === undefined || !isFinite(v)) return '-';
    return Number(v).toLocaleString('en-US', {maximumFractionDigits: d === undefined ? 3 : d});
  }
  function secs(t) { return num(t, 3) + ' s'; }
  function showTip(ev, s) {
    tip.textContent = s;
    tip.style.display = 'block';
    tip.style.left = Math.min(ev.clientX + 14, window.innerWidth - tip.offsetWidth - 4) + 'px';
    tip.style.top = (ev.clientY + 14) + 'px';
  }
  function hideTip() { tip.style.display = 'none'; }
  function ticks(lo, hi, n) {
    var span = hi - lo, raw = span / Math.max(n, 1), p = Math.pow(10, Math.floor(Math.log10(raw)));
    var step = [1, 2, 5, 10].map(function (m) { return m * p; })
                            .filter(function (s) { return s >= raw; })[0] || raw;
    var out = [];
    for (var v = Math.ceil(lo / step) * step; v <= hi + step * 1e-9; v += step)
      out.push(Math.abs(v) < step * 1e-9 ? 0 : v);
    return out;
  }
  /* Index of the last i with t[i] <= x (-1 before the first). */
  function bisect(t, x, stride, off) {
    var lo = 0, hi = Math.floor(t.length / stride) - 1, r = -1;
    while (lo <= hi) {
      var mid = (lo + hi) >> 1;
      if (t[mid * stride + off] <= x) { r = mid; lo = mid + 1; } else hi = mid - 1;
    }
    return r;
  }

  /* ---- the time view of one group section ---- */

  function View(end) {
    this.end = end > 0 ? end : 1;
    this.t0 = 0;
    this.t1 = this.end;
    this.charts = [];
    this.minSpan = Math.max(1e-3, this.end * PW / MAX_SCALED_PX);
  }
  View.prototype.x = function (t) { return ML + (t - this.t0) / (this.t1 - this.t0) * PW; };
  View.prototype.t = function (x) { return this.t0 + (x - ML) / PW * (this.t1 - this.t0); };
  View.prototype.set = function (t0, t1) {
    var span = Math.min(Math.max(t1 - t0, this.minSpan), this.end);
    t0 = Math.min(Math.max(t0, 0), this.end - span);
    this.t0 = t0;
    this.t1 = t0 + span;
    var self = this;
    this.charts.forEach(function (c) { c(self); });
  };
  View.prototype.attach = function (svg) {
    var self = this, drag = null;
    svg.addEventListener('wheel', function (ev) {
      var r = svg.getBoundingClientRect(), x = ev.clientX - r.left;
      if (x < ML || x > ML + PW) return;
      ev.preventDefault();
      var at = self.t(x), f = Math.exp(ev.deltaY * 0.0015);
      self.set(at - (at - self.t0) * f, at + (self.t1 - at) * f);
    }, {passive: false});
    svg.addEventListener('mousedown', function (ev) {
      drag = {x: ev.clientX, t0: self.t0, t1: self.t1};
      ev.preventDefault();
    });
    window.addEventListener('mousemove', function (ev) {
      if (!drag) return;
      var dt = (ev.clientX - drag.x) / PW * (drag.t1 - drag.t0);
      self.set(drag.t0 - dt, drag.t1 - dt);
    });
    window.addEventListener('mouseup', function () { drag = null; });
    svg.addEventListener('dblclick', function () { self.set(0, self.end); });
  };

  /* Grid lines over [y, y + h) and tick labels (seconds of virtual time) under it. */
  function timeAxis(g, view, y, h) {
    clear(g);
    ticks(view.t0, view.t1, 10).forEach(function (v) {
      var x = view.x(v);
      el('line', {x1: x, x2: x, y1: y, y2: y + h, 'class': 'grid'}, g);
      text(g, x, y + h + 13, num(v), {'text-anchor': 'middle'});
    });
  }

  /* Rebalance bands and fault markers over [y, y + h). */
  function marks(g, gd, view, y, h, cls, rowH) {
    clear(g);
    var b = gd.bands, span = view.t1 - view.t0;
    for (var i = 0; i + 4 < b.length; i += 5) {
      if (b[i + 1] < view.t0 || b[i] > view.t1) continue;
      var x = view.x(b[i]), w = Math.max(view.x(b[i + 1]) - x, 1);
      var r = el('rect', {x: x, y: y, width: w, height: h, 'class': cls,
                          fill: '#ff9f1c', 'fill-opacity': 0.28}, g);
      title(r, 'rebalance to generation ' + b[i + 2] + ': ' + secs(b[i]) + ' - ' +
            secs(b[i + 1]) + ' (' + num((b[i + 1] - b[i]) * 1e3, 1) + ' ms), ' + b[i + 3] +
            ' members, ' + b[i + 4] + ' partitions moved');
    }
    if (gd.open_band.length === 2 && gd.open_band[1] >= view.t0 && gd.open_band[0] <= view.t1) {
      var ox = view.x(gd.open_band[0]);
      var o = el('rect', {x: ox, y: y, width: Math.max(view.x(gd.open_band[1]) - ox, 1),
                          height: h, 'class': cls + '-open', fill: '#ff9f1c',
                          'fill-opacity': 0.12}, g);
      title(o, 'rebalance started at ' + secs(gd.open_band[0]) + ', not finished by the end');
    }
    if (cls !== 'band') return;
    /* Every fault has a marker above the rows and, when it names a member, a tick on the
     * member's row; lines across all rows only while few faults are in view. */
    var inView = gd.faults.filter(function (f) { return f[0] >= view.t0 && f[0] <= view.t1; });
    var lines = inView.length <= 40;
    gd.faults.forEach(function (f) {
      var fx = view.x(f[0]), col = f[3] ? '#d62728' : '#999';
      var m = el('g', {'class': 'fault'}, g);
      if (f[0] < view.t0 - span * 1e-9 || f[0] > view.t1 + span * 1e-9)
        m.setAttribute('display', 'none');
      if (lines || f[4] < 0)
        el('line', {x1: fx, x2: fx, y1: y - 4, y2: y + h, stroke: col, 'stroke-width': 1,
                    'stroke-opacity': lines ? 0.8 : 0.3, 'stroke-dasharray': f[3] ? '' : '3,2'},
           m);
      if (f[4] >= 0)
        el('rect', {x: fx - 1, y: y + f[4] * rowH, width: 2.5, height: Math.max(rowH, 2),
                    fill: col}, m);
      el('path', {d: 'M' + (fx - 4) + ',' + (y - 11) + 'h8l-4,7z', fill: f[3] ? col : '#fff',
                  stroke: col, 'stroke-width': 0.8}, m);
      title(m, secs(f[0]) + ': ' + f[1] + ' ' + f[2] + (f[3] ? '' : ' (not applied)'));
    });
  }

  /* ---- ownership timeline ---- */

  function heatLevel(v, max) {
    return Math.max(0, Math.min(HEAT.length - 1, Math.ceil(v / max * HEAT.length) - 1));
  }

  function timeline(div, gd, view, counts) {
    var detail = gd.mode === 'detail', rows = gd.rows.length + (detail ? 1 : 0);
    /* A row has a lane only for each partition it ever had (in partition order), so rows stay
     * short; colours name the partitions. */
    var laneOf = [], lanes = 0, r, i;
    if (detail) {
      for (r = 0; r < rows; r++) laneOf.push({});
      for (i = 0; i + 3 < gd.spans.length; i += 4) laneOf[gd.spans[i]][gd.spans[i + 1]] = 0;
      laneOf.forEach(function (m, row) {
        var keys = Object.keys(m).map(Number).sort(function (a, b) { return a - b; });
        keys.forEach(function (k, j) { m[k] = j; });
        m.n = keys.length;
        if (row < gd.rows.length) lanes = Math.max(lanes, keys.length);
      });
    }
    var rowH = detail ? Math.max(22, Math.min(lanes * 5 + 6, 72))
                      : Math.max(2, Math.min(22, Math.floor(500 / Math.max(rows, 1))));
    var laneHs = laneOf.map(function (m) { return Math.min(5, (rowH - 6) / Math.max(m.n, 1)); });
    var y0 = TOP + 10;
    var H = y0 + rows * rowH + 20;
    var svg = el('svg', {width: W, height: H, 'class': 'timeline'}, div);
    text(svg, ML, 12, detail ? 'partition owners: a row per member, a lane per partition it ' +
         'owned (black: owner stopped by a fault; last row: no owner)'
         : 'partitions owned per ' + (gd.per_row > 1 ? gd.per_row + ' members' : 'member') +
           ' over time (' + gd.members + ' members, ' + gd.partitions + ' partitions)',
         {'class': 'ctitle'});
    var clipId = 'clip-' + div.closest('section').id;
    el('rect', {x: ML, y: y0, width: PW, height: rows * rowH},
       el('clipPath', {id: clipId}, el('defs', {}, svg)));
    var axis = el('g', {'class': 'axis'}, svg);
    var plot = el('g', {'clip-path': 'url(#' + clipId + ')'}, svg);
    for (r = 0; r < rows; r += 2)
      el('rect', {x: ML, y: y0 + r * rowH, width: PW, height: rowH, fill: '#f7f7f7'}, plot);
    var scaled = el('g', {'shape-rendering': 'crispEdges'}, plot);
    var labelEvery = Math.ceil(12 / rowH);
    var labels = el('g', {}, svg);
    for (r = 0; r < rows; r++) {
      var g = el('g', {'class': r < gd.rows.length ? 'mrow' : 'urow'}, scaled);
      g.setAttribute('data-row', r);
      if (r % labelEvery === 0)
        text(labels, ML - 6, y0 + r * rowH + Math.min(rowH, 12) / 2 + 4,
             r < gd.rows.length ? gd.rows[r] : '(no owner)', {'text-anchor': 'end'});
    }
    var rowsG = scaled.childNodes;
    if (detail) {
      var s = gd.spans;
      for (i = 0; i + 3 < s.length; i += 4) {
        var rect = el('rect', {x: s[i + 2], width: s[i + 3] - s[i + 2],
                               y: y0 + s[i] * rowH + 3 + laneOf[s[i]][s[i + 1]] * laneHs[s[i]],
                               height: Math.max(laneHs[s[i]], 1),
                               fill: s[i] === gd.rows.length ? '#d62728'
                                     : PAL[s[i + 1] % PAL.length]}, rowsG[s[i]]);
        title(rect, gd.lanes[s[i + 1]] + (s[i] === gd.rows.length ? ' without owner'
              : ' owned by ' + gd.rows[s[i]]) + ': ' + secs(s[i + 2]) + ' - ' + secs(s[i + 3]));
      }
      s = gd.stalls;
      for (i = 0; i + 3 < s.length; i += 4) {
        var st = el('rect', {x: s[i + 2], width: s[i + 3] - s[i + 2],
                             y: y0 + s[i] * rowH + 3 +
                                (laneOf[s[i]][s[i + 1]] + 0.25) * laneHs[s[i]],
                             height: Math.max(laneHs[s[i]] / 2, 1), fill: '#000'}, rowsG[s[i]]);
        title(st, gd.lanes[s[i + 1]] + ' stalled (' + gd.rows[s[i]] + ' stopped): ' +
              secs(s[i + 2]) + ' - ' + secs(s[i + 3]));
      }
      legendLanes(div, gd);
    } else {
      var max = 0;
      gd.heat.forEach(function (p) {
        for (var k = 1; k < p.length; k += 2) max = Math.max(max, p[k] / gd.per_row);
      });
      /* Twice the fair share tops the scale, so one member that briefly owned everything
       * does not turn the normal share pale. */
      var fair = gd.partitions / Math.max(gd.members, 1);
      max = Math.max(Math.min(max, Math.ceil(2 * fair)), 1);
      gd.heat.forEach(function (p, row) {
        var paths = HEAT.map(function () { return ''; }), y = y0 + row * rowH;
        for (var k = 0; k + 1 < p.length; k += 2) {
          if (p[k + 1] <= 0) continue;
          var a = p[k], b = k + 2 < p.length ? p[k + 2] : view.end;
          paths[heatLevel(p[k + 1] / gd.per_row, max)] +=
            'M' + a + ',' + y + 'H' + b + 'V' + (y + rowH - (rowH > 3 ? 1 : 0)) + 'H' + a + 'Z';
        }
        paths.forEach(function (d, lv) {
          if (d) el('path', {d: d, fill: HEAT[lv]}, rowsG[row]);
        });
      });
      legendHeat(div, gd, max);
      svg.addEventListener('mousemove', function (ev) {
        var b = svg.getBoundingClientRect(), x = ev.clientX - b.left, y = ev.clientY - b.top;
        var row = Math.floor((y - y0) / rowH);
        if (x < ML || x > ML + PW || row < 0 || row >= gd.rows.length) return hideTip();
        var t = view.t(x), p = gd.heat[row], k = bisect(p, t, 2, 0);
        var v = k < 0 ? 0 : p[2 * k + 1];
        showTip(ev, gd.rows[row] + ' at ' + secs(t) + ': ' + num(v, 0) + ' partitions' +
                (gd.per_row > 1 ? ' (' + num(v / gd.per_row, 1) + ' per member)' : ''));
      });
      svg.addEventListener('mouseleave', hideTip);
    }
    var over = el('g', {}, svg);
    view.charts.push(function (v) {
      var k = PW / (v.t1 - v.t0);
      scaled.setAttribute('transform', 'translate(' + (ML - v.t0 * k) + ',0) scale(' + k + ',1)');
      timeAxis(axis, v, y0, rows * rowH);
      marks(over, gd, v, y0, rows * rowH, 'band', rowH);
    });
    view.attach(svg);
    counts.rows = gd.rows.length;
  }

  function legendLanes(div, gd) {
    var p = document.createElement('div');
    p.className = 'legend';
    var n = gd.lanes.length, shown = Math.min(n, 24);
    p.appendChild(document.createTextNode('partitions (lanes in this order in each row):'));
    for (var i = 0; i < shown; i++) {
      var sw = document.createElement('span');
      sw.className = 'sw';
      sw.style.background = PAL[i % PAL.length];
      p.appendChild(sw);
      p.appendChild(document.createTextNode(gd.lanes[i]));
    }
    if (n > shown) p.appendChild(document.createTextNode(' ... ' + gd.lanes[n - 1]));
    div.appendChild(p);
  }

  function legendHeat(div, gd, max) {
    var p = document.createElement('div');
    p.className = 'legend';
    p.appendChild(document.createTextNode('fewest partitions owned per member in each ' +
      num(gd.grid, 3) + ' s (blank: none):'));
    HEAT.forEach(function (c, i) {
      var sw = document.createElement('span');
      sw.className = 'sw';
      sw.style.background = c;
      p.appendChild(sw);
      p.appendChild(document.createTextNode((i + 1 < HEAT.length ? '\u2264' : '>') +
        num(max * (i + (i + 1 < HEAT.length ? 1 : 0)) / HEAT.length, max < 20 ? 1 : 0)));
    });
    div.appendChild(p);
  }

  /* ---- series over time (stalled partitions, lag) ---- */

  function seriesChart(div, gd, view, spec) {
    var H = 150, y0 = TOP, h = H - TOP - 20;
    var svg = el('svg', {width: W, height: H, 'class': spec.cls}, div);
    text(svg, ML, 12, spec.title, {'class': 'ctitle'});
    var max = 1;
    spec.lines.forEach(function (l) {
      l.v.forEach(function (v) { if (v !== null && v > max) max = v; });
    });
    var axis = el('g', {'class': 'axis'}, svg), yaxis = el('g', {'class': 'axis'}, svg);
    ticks(0, max, 4).forEach(function (v) {
      var y = y0 + h - v / max * h;
      el('line', {x1: ML, x2: ML + PW, y1: y, y2: y, 'class': 'grid'}, yaxis);
      text(yaxis, ML - 6, y + 4, num(v, 0), {'text-anchor': 'end'});
    });
    text(yaxis, 8, y0 + h / 2, spec.ylabel, {});
    var clipId = 'clip-' + spec.cls + '-' + div.closest('section').id;
    el('rect', {x: ML, y: 0, width: PW, height: H},
       el('clipPath', {id: clipId}, el('defs', {}, svg)));
    var plot = el('g', {'clip-path': 'url(#' + clipId + ')'}, svg);
    var over = el('g', {}, plot);
    var lines = el('g', {}, plot);
    view.charts.push(function (v) {
      timeAxis(axis, v, y0, h);
      marks(over, gd, v, y0, h, 'rb');
      clear(lines);
      spec.lines.forEach(function (l) {
        var d = '', pen = false;
        for (var i = 0; i < l.t.length; i++) {
          var val = l.v[i];
          if (val === null) { pen = false; continue; }
          var x = v.x(l.t[i]), y = y0 + h - val / max * h;
          if (!pen) d += 'M' + x.toFixed(2) + ',' + y.toFixed(2);
          else if (l.step) d += 'H' + x.toFixed(2) + 'V' + y.toFixed(2);
          else d += 'L' + x.toFixed(2) + ',' + y.toFixed(2);
          pen = true;
        }
        if (pen && l.step) d += 'H' + v.x(view.end).toFixed(2);
        if (l.fill && d) d += 'V' + (y0 + h) + 'H' + v.x(l.t[0]).toFixed(2) + 'Z';
        if (d) el('path', {d: d, fill: l.fill || 'none', 'fill-opacity': 0.45,
                           stroke: l.colour, 'stroke-width': 1.3,
                           'stroke-dasharray': l.dash || ''}, lines);
      });
    });
    svg.addEventListener('mousemove', function (ev) {
      var b = svg.getBoundingClientRect(), x = ev.clientX - b.left;
      if (x < ML || x > ML + PW) return hideTip();
      var t = view.t(x), s = secs(t);
      spec.lines.forEach(function (l) {
        var k = bisect(l.t, t, 1, 0);
        s += '\n' + l.name + ': ' + (k < 0 ? '-' : num(l.v[k], 0));
      });
      showTip(ev, s);
    });
    svg.addEventListener('mouseleave', hideTip);
    view.attach(svg);
  }

  function stalledChart(div, gd, view) {
    var t = [0], v = [0], s = gd.stalled;
    for (var i = 0; i + 1 < s.length; i += 2) { t.push(s[i]); v.push(s[i + 1]); }
    seriesChart(div, gd, view, {cls: 'stalled', title: 'stalled partitions (no owner, or ' +
      'owner stopped by a fault) of ' + gd.partitions, ylabel: 'partitions',
      lines: [{name: 'stalled', t: t, v: v, step: true, colour: '#d62728', fill: '#d62728'}]});
  }

  function lagChart(div, gd, view) {
    var L = gd.lag;
    if (L.kind === 'none') {
      var p = document.createElement('p');
      p.className = 'meta';
      p.textContent = 'lag: no lag records and no commit records with end_offset';
      div.appendChild(p);
      return;
    }
    var lines = [{name: 'committed lag', t: L.t, v: L.c, step: L.kind === 'commits',
                  colour: '#1f77b4'}];
    if (L.kind === 'sampled')
      lines.push({name: 'position lag', t: L.t, v: L.p, colour: '#ff7f0e', dash: '4,3'});
    seriesChart(div, gd, view, {cls: 'lag', ylabel: 'records', lines: lines,
      title: L.kind === 'sampled'
        ? 'lag, sum over partitions (lag records: committed solid, position dashed)'
        : 'committed lag, sum over partitions (at commits)'});
  }

  /* ---- rebalance duration CDF ---- */

  function cdfChart(div, gd) {
    var c = gd.cdf, Wc = 760, Hc = 210, ml = 60, pw = Wc - ml - 20, h = Hc - 50, y0 = 24;
    var svg = el('svg', {width: Wc, height: Hc, 'class': 'cdf'}, div);
    if (!c.length) {
      text(svg, ml, 14, 'rebalance duration CDF: no rebalance_end records', {'class': 'ctitle'});
      svg.setAttribute('height', 24);
      return;
    }
    text(svg, ml, 14, 'rebalance duration CDF (' + gd.bands_total + ' rebalances; p50 ' +
         num(gd.p50, 1) + ' ms, p99 ' + num(gd.p99, 1) + ' ms, max ' + num(gd.max, 1) + ' ms)',
         {'class': 'ctitle'});
    var max = Math.max(c[c.length - 1], 1e-3), d = 'M' + ml + ',' + (y0 + h);
    ticks(0, max, 5).forEach(function (v) {
      var x = ml + v / max * pw;
      el('line', {x1: x, x2: x, y1: y0, y2: y0 + h, 'class': 'grid'}, svg);
      text(svg, x, y0 + h + 14, num(v, 1), {'text-anchor': 'middle'});
    });
    [0, 0.5, 1].forEach(function (v) {
      text(svg, ml - 6, y0 + h - v * h + 4, v, {'text-anchor': 'end'});
    });
    text(svg, ml + pw / 2, Hc - 6, 'duration (ms)', {'text-anchor': 'middle'});
    for (var i = 0; i < c.length; i++) {
      var x = ml + c[i] / max * pw;
      d += 'H' + x.toFixed(2) + 'V' + (y0 + h - (i + 1) / c.length * h).toFixed(2);
    }
    el('path', {d: d, fill: 'none', stroke: '#1f77b4', 'stroke-width': 1.5}, svg);
  }

  /* ---- compare and sweep outputs ---- */

  var CMP_FIGS = ['stalled_partition_ms', 'unavailable_partition_ms', 'rebalances',
                  'rebalance_ms_p99', 'moved_partitions', 'duplicates', 'max_lag_records',
                  'sampled_committed_lag_max'];

  function ciOf(f) {
    var ci = f && f.ci95 && f.ci95.length === 2 ? f.ci95 : [null, null];
    return {m: f ? f.mean : null, lo: ci[0], hi: ci[1]};
  }

  function compareSection(C, counts) {
    var box = document.querySelector('#compare .bars'), names = Object.keys(C.assignors);
    var meta = document.querySelector('#compare .meta');
    meta.textContent = (C.scenario || '') + ': mean and 95% interval per assignor over ' +
      (C.seeds || '?') + ' seeds (common random numbers: the same seeds for every assignor)';
    counts.compare_bars = 0;
    CMP_FIGS.forEach(function (fig) {
      if (!(fig in C.assignors[names[0]])) return;
      var Wb = 270, Hb = 250, ml = 52, pw = Wb - ml - 8, h = Hb - 125, y0 = 22, max = 0;
      var vals = names.map(function (n) { return ciOf(C.assignors[n][fig]); });
      vals.forEach(function (v) { max = Math.max(max, v.m || 0, v.hi || 0); });
      max = max > 0 ? max * 1.08 : 1;
      var svg = el('svg', {width: Wb, height: Hb, 'class': 'cmp'}, box);
      text(svg, 4, 14, fig, {'class': 'ctitle'});
      ticks(0, max, 4).forEach(function (v) {
        var y = y0 + h - v / max * h;
        el('line', {x1: ml, x2: ml + pw, y1: y, y2: y, 'class': 'grid'}, svg);
        text(svg, ml - 4, y + 4, num(v, 1), {'text-anchor': 'end'});
      });
      var bw = pw / names.length;
      vals.forEach(function (v, i) {
        var x = ml + i * bw + bw * 0.15, w = bw * 0.7;
        var y = y0 + h - (v.m || 0) / max * h;
        var bar = el('rect', {x: x, y: y, width: w, height: y0 + h - y, fill: PAL[i % PAL.length],
                              'class': 'bar'}, svg);
        title(bar, names[i] + ': mean ' + num(v.m) + ', 95% interval [' + num(v.lo) + ', ' +
              num(v.hi) + ']');
        counts.compare_bars++;
        if (v.lo !== null && v.hi !== null) {
          var cx = x + w / 2, ylo = y0 + h - v.lo / max * h, yhi = y0 + h - v.hi / max * h;
          el('path', {d: 'M' + cx + ',' + ylo + 'V' + yhi + 'M' + (cx - 5) + ',' + ylo + 'h10M' +
                      (cx - 5) + ',' + yhi + 'h10', stroke: '#000', 'class': 'ci'}, svg);
        }
        text(svg, x + w / 2, y0 + h + 12, names[i], {'text-anchor': 'end'})
          .setAttribute('transform', 'rotate(-35 ' + (x + w / 2) + ' ' + (y0 + h + 12) + ')');
      });
    });
  }

  /* The point index of (i, j) on the first two axes, further axes at the baseline's values. */
  function sweepLayout(S) {
    var strides = [], stride = 1, base = 0;
    for (var a = S.axes.length - 1; a >= 0; a--) {
      strides[a] = stride;
      if (a >= 2) base += Math.floor(S.baseline / stride) % S.axes[a].values.length * stride;
      stride *= S.axes[a].values.length;
    }
    return {strides: strides, base: base};
  }

  function sweepSection(S, counts) {
    var box = document.querySelector('#sweep .sweep'), L = sweepLayout(S);
    var figs = Object.keys((S.points[0] || {figures: {}}).figures);
    var sel = document.createElement('select');
    figs.forEach(function (f) {
      var o = document.createElement('option');
      o.value = o.textContent = f;
      sel.appendChild(o);
    });
    if (figs.indexOf('unavailable_partition_ms') >= 0) sel.value = 'unavailable_partition_ms';
    box.appendChild(sel);
    var holder = document.createElement('div');
    box.appendChild(holder);
    var ax0 = S.axes[0], ax1 = S.axes[1] || {path: '', values: ['']};
    var numeric = ax0.values.every(function (v) { return v !== '' && isFinite(Number(v)); });
    function draw() {
      clear(holder);
      var fig = sel.value, Ws = 1100, Hs = 380, ml = 70, pw = Ws - ml - 330, h = Hs - 70;
      var y0 = 24, xs = ax0.values.map(function (v, i) { return numeric ? Number(v) : i; });
      var xmin = Math.min.apply(null, xs), xmax = Math.max.apply(null, xs), ymax = 0;
      var pts = ax1.values.map(function (_, j) {
        return ax0.values.map(function (_, i) {
          var p = S.points[L.base + i * L.strides[0] + j * (S.axes[1] ? L.strides[1] : 0)];
          var c = ciOf(p && p.figures[fig]);
          ymax = Math.max(ymax, c.m || 0, c.hi || 0);
          return c;
        });
      });
      ymax = ymax > 0 ? ymax * 1.05 : 1;
      var X = function (x) { return ml + (xmax > xmin ? (x - xmin) / (xmax - xmin) : 0.5) * pw; };
      var Y = function (y) { return y0 + h - y / ymax * h; };
      var svg = el('svg', {width: Ws, height: Hs, 'class': 'sweepchart'}, holder);
      text(svg, ml, 14, fig + ' over ' + ax0.path + ' (' + S.seeds + ' seeds; mean and 95% band)',
           {'class': 'ctitle'});
      ticks(0, ymax, 5).forEach(function (v) {
        el('line', {x1: ml, x2: ml + pw, y1: Y(v), y2: Y(v), 'class': 'grid'}, svg);
        text(svg, ml - 6, Y(v) + 4, num(v, 1), {'text-anchor': 'end'});
      });
      ax0.values.forEach(function (v, i) {
        text(svg, X(xs[i]), y0 + h + 16, v, {'text-anchor': 'middle'});
      });
      text(svg, ml + pw / 2, Hs - 8, ax0.path, {'text-anchor': 'middle'});
      pts.forEach(function (line, j) {
        var col = PAL[j % PAL.length], up = '', down = '', d = '';
        line.forEach(function (c, i) {
          if (c.m === null) return;
          d += (d ? 'L' : 'M') + X(xs[i]) + ',' + Y(c.m);
          if (c.lo !== null) {
            up += (up ? 'L' : 'M') + X(xs[i]) + ',' + Y(c.hi);
            down = 'L' + X(xs[i]) + ',' + Y(c.lo) + down;
          }
        });
        if (up) el('path', {d: up + down + 'Z', fill: col, 'fill-opacity': 0.18}, svg);
        var p = el('path', {d: d, fill: 'none', stroke: col, 'stroke-width': 2,
                            'class': 'sweepline'}, svg);
        title(p, ax1.path + ' = ' + ax1.values[j]);
        line.forEach(function (c, i) {
          if (c.m === null) return;
          var dot = el('circle', {cx: X(xs[i]), cy: Y(c.m), r: 3, fill: col}, svg);
          title(dot, ax0.path + ' = ' + ax0.values[i] + ', ' + ax1.path + ' = ' + ax1.values[j] +
                ': mean ' + num(c.m) + ' [' + num(c.lo) + ', ' + num(c.hi) + ']');
        });
        text(svg, ml + pw + 14, y0 + 14 + j * 16, (S.axes[1] ? ax1.path + ' = ' : '') +
             ax1.values[j], {fill: col});
      });
      counts.sweep_lines = pts.length;
    }
    sel.addEventListener('change', draw);
    draw();
  }

  /* ---- sortable member tables ---- */

  function sortable(table) {
    var ths = table.querySelectorAll('thead th');
    Array.prototype.forEach.call(ths, function (th, col) {
      th.addEventListener('click', function () {
        var body = table.tBodies[0], rows = Array.prototype.slice.call(body.rows);
        var dir = th.getAttribute('data-dir') === 'asc' ? -1 : 1;
        th.setAttribute('data-dir', dir > 0 ? 'asc' : 'desc');
        rows.sort(function (a, b) {
          var x = a.cells[col].textContent, y = b.cells[col].textContent;
          var nx = parseFloat(x), ny = parseFloat(y);
          if (!isNaN(nx) && !isNaN(ny)) return (nx - ny) * dir;
          return x.localeCompare(y, 'en', {numeric: true}) * dir;
        });
        rows.forEach(function (r) { body.appendChild(r); });
      });
    });
  }

  /* ---- the page ---- */

  /* "#t=A-B" in the address opens every time chart on [A, B] s: a link to a moment. */
  var at = /(?:^#|&)t=([0-9.]+)-([0-9.]+)/.exec(location.hash);
  var counts = {groups: []};
  D.groups.forEach(function (gd, gi) {
    var sec = document.getElementById('group-' + gi), view = new View(D.end);
    var c = {name: gd.name, rows: 0};
    var ctl = document.createElement('div');
    ctl.className = 'controls';
    [['-', 1.6], ['+', 1 / 1.6], ['reset', 0]].forEach(function (b) {
      var btn = document.createElement('button');
      btn.textContent = b[0];
      btn.addEventListener('click', function () {
        if (!b[1]) return view.set(0, view.end);
        var mid = (view.t0 + view.t1) / 2, half = (view.t1 - view.t0) / 2 * b[1];
        view.set(mid - half, mid + half);
      });
      ctl.appendChild(btn);
    });
    ctl.appendChild(document.createTextNode(' time: wheel zooms, drag pans, double-click resets'));
    var charts = sec.querySelectorAll('.chart');
    sec.insertBefore(ctl, charts[0]);
    timeline(charts[0], gd, view, c);
    stalledChart(charts[1], gd, view);
    lagChart(charts[2], gd, view);
    cdfChart(charts[3], gd);
    view.set(0, view.end);
    c.bands = sec.querySelectorAll('svg.timeline .band').length;
    if (at && Number(at[2]) > Number(at[1])) view.set(Number(at[1]), Number(at[2]));
    c.faults = sec.querySelectorAll('svg.timeline .fault').length;
    counts.groups.push(c);
  });
  Array.prototype.forEach.call(document.querySelectorAll('table.sortable'), sortable);
  if (D.compare) compareSection(D.compare, counts);
  if (D.sweep) sweepSection(D.sweep, counts);
  document.body.setAttribute('data-rendered', JSON.stringify(counts));
})();
