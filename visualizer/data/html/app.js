/* docker-netviz interactive view. Engine text is data: it reaches the page only through
   textContent and cytoscape's canvas labels, never as markup. Every position comes with the
   data (one map per level of detail): the page lays nothing out, it shows, hides and fits. */
(function () {
  "use strict";
  var status = document.getElementById("status");
  function later(fn) {
    /* let the browser paint what is on screen (the progress line) before working */
    window.requestAnimationFrame(function () { window.setTimeout(fn, 0); });
  }
  function busy(text, fn) {
    status.textContent = text;
    status.style.display = "block";
    later(function () { fn(); status.style.display = "none"; });
  }
  later(start);

  function start() {
    performance.mark("netviz-start");
    var data = JSON.parse(document.getElementById("netviz-data").textContent);
    performance.mark("netviz-parsed");
    var LEVELS = ["container", "service", "project", "network"];
    var FINER = { service: "container", project: "service", network: "project" };
    var GROUP_AT = { service: 0, project: 1, network: 2 };
    var BIG = 1500; /* drawing more containers than this says so first */
    var DRIVERS = {
      bridge: ["#dbeafe", "#1d4ed8"], overlay: ["#ede9fe", "#6d28d9"], macvlan: ["#ffedd5", "#c2410c"],
      ipvlan: ["#fef3c7", "#a16207"], host: ["#fee2e2", "#b91c1c"], null: ["#f1f5f9", "#64748b"]
    };
    var PLUGIN = ["#dcfce7", "#15803d"];
    var SEVERITY = { critical: "#7f1d1d", high: "#b91c1c", medium: "#b45309", low: "#0369a1" };
    var EXPOSED = { all: "#b91c1c", some: "#b45309", local: "#15803d" };
    function has(obj, key) { return Object.prototype.hasOwnProperty.call(obj, key); }
    function colors(driver) { return has(DRIVERS, driver) ? DRIVERS[driver] : PLUGIN; }
    function el(tag, text, cls) {
      var node = document.createElement(tag);
      if (text !== undefined && text !== null) { node.textContent = String(text); }
      if (cls) { node.className = cls; }
      return node;
    }

    var ext = window.netvizData ? window.netvizData(data) : null; /* data.js: volumes, channels */
    function named(text) { return text === "" ? "(empty name)" : text; }

    /* ---- indexes ---- */
    var byRef = {};
    data.containers.forEach(function (c, i) { c.index = i; byRef[c.id] = c; });
    data.networks.forEach(function (n, i) { n.index = i; byRef[n.id] = n; });
    Object.keys(data.groups).forEach(function (id) { byRef[id] = data.groups[id]; data.groups[id].id = id; });
    function ancestors(ref) {
      /* the groups holding a container or a group, innermost first */
      var item = byRef[ref];
      if (!item) { return []; }
      if (has(item, "groups")) { return item.groups.slice(); }
      var out = [];
      var parent = item.parent;
      while (parent) { out.push(parent); parent = byRef[parent].parent; }
      return out;
    }
    function within(ref, focus) {
      /* a group's part on one host is drawn as `gid@host`: the same group for drilling */
      var base = ref.split("@")[0];
      return base === focus || ancestors(base).indexOf(focus) >= 0;
    }

    /* ---- reachability, from units of interchangeable containers ---- */
    var units = data.reach.units;
    var segments = {}, onNet = {}, explicitOut = {}, explicitIn = {};
    data.reach.segments.forEach(function (s) {
      segments[s[0]] = s[1];
      s[1].forEach(function (n) { (onNet[n[0]] = onNet[n[0]] || []).push([s[0], n[1]]); });
    });
    data.reach.explicit.forEach(function (r) {
      (explicitOut[r[0]] = explicitOut[r[0]] || []).push([r[1], r[2]]);
      (explicitIn[r[1]] = explicitIn[r[1]] || []).push([r[0], r[2]]);
    });
    function reachOf(ci) {
      /* container index → Maps of container index → by name, both directions */
      var out = new Map(), into = new Map(), u = data.containers[ci].unit;
      if (u < 0) { return { out: out, into: into }; }
      function put(map, v, named) {
        units[v].forEach(function (m) { if (m !== ci) { map.set(m, map.get(m) === true || named); } });
      }
      (segments[u] || []).forEach(function (n) {
        onNet[n[0]].forEach(function (v) { put(out, v[0], n[1]); put(into, v[0], n[1]); });
      });
      (explicitOut[u] || []).forEach(function (r) { put(out, r[0], r[1]); });
      (explicitIn[u] || []).forEach(function (r) { put(into, r[0], r[1]); });
      return { out: out, into: into };
    }
    function unitPairs() {
      /* (u, v) → by name, for every pair of units whose members reach each other */
      var pairs = new Map(), size = units.length;
      Object.keys(onNet).forEach(function (n) {
        var list = onNet[n];
        list.forEach(function (a) {
          list.forEach(function (b) {
            if (a[0] === b[0] && units[a[0]].length < 2) { return; }
            var key = a[0] * size + b[0];
            pairs.set(key, pairs.get(key) === true || a[1]);
          });
        });
      });
      data.reach.explicit.forEach(function (r) { pairs.set(r[0] * size + r[1], r[2]); });
      return pairs;
    }

    /* ---- the graph: every level's elements, added when first shown ---- */
    var cy = cytoscape({
      container: document.getElementById("graph"),
      elements: [],
      layout: { name: "preset" },
      wheelSensitivity: 0.3,
      minZoom: 0.02,
      maxZoom: 4,
      textureOnViewport: data.containers.length > 3000,
      hideEdgesOnViewport: data.containers.length > 3000,
      style: [
        { selector: "node", style: { "label": "data(label)", "text-wrap": "wrap", "font-size": 12,
          "text-valign": "center", "text-halign": "center", "color": "#0f172a", "shape": "round-rectangle",
          "width": "data(w)", "height": "data(h)", "min-zoomed-font-size": 4 } },
        { selector: "node[kind = 'container']", style: { "background-color": "#ffffff", "border-color": "#334155",
          "border-width": 1 } },
        { selector: "node[kind = 'group']", style: { "background-color": "#ffffff", "border-color": "#334155",
          "border-width": 2, "font-size": 12 } },
        { selector: "node[kind = 'group'][many = 1]", style: { "border-width": 3, "border-style": "double" } },
        { selector: "node[running = 0]", style: { "background-color": "#f1f5f9", "border-style": "dashed",
          "border-color": "#9ca3af", "color": "#64748b" } },
        { selector: "node[kind = 'network']", style: { "background-color": "data(fill)", "border-color": "data(stroke)",
          "border-width": 2 } },
        { selector: "node[kind = 'network'][internal = 1]", style: { "border-style": "double", "border-width": 5 } },
        { selector: "node[kind = 'frame']", style: { "background-color": "#f8fafc", "background-opacity": 0.6,
          "border-style": "dashed", "border-color": "#64748b", "border-width": 1, "text-valign": "top",
          "text-halign": "center", "text-margin-y": 20, "color": "#334155", "font-weight": "bold",
          "z-index": 0, "z-compound-depth": "bottom", "events": "no" } },
        { selector: "node[kind = 'outside'], node[kind = 'host']", style: { "background-color": "#fee2e2",
          "border-color": "#b91c1c", "border-width": 2, "shape": "round-octagon" } },
        { selector: "node[kind = 'outside']", style: { "background-color": "#f1f5f9", "border-color": "#64748b",
          "shape": "ellipse" } },
        { selector: "edge", style: { "width": 2, "line-color": "data(stroke)", "curve-style": "straight",
          "label": "data(label)", "font-size": 10, "text-background-color": "#ffffff", "text-background-opacity": 0.8,
          "min-zoomed-font-size": 6, "color": "#334155" } },
        { selector: "edge[policy = 'by-ip']", style: { "line-style": "dashed" } },
        { selector: "edge[policy = 'isolated']", style: { "line-style": "dotted", "line-color": "#dc2626",
          "target-arrow-shape": "tee", "target-arrow-color": "#dc2626" } },
        { selector: "edge[policy = 'host']", style: { "width": 4 } },
        { selector: "edge[policy = 'none'], edge[policy = 'stopped']", style: { "line-style": "dotted",
          "line-color": "#9ca3af" } },
        { selector: "edge[policy = 'sidecar']", style: { "line-style": "dashed", "line-color": "#7c3aed",
          "target-arrow-shape": "triangle", "target-arrow-color": "#7c3aed" } },
        { selector: "edge[kind = 'reach']", style: { "line-color": "#1d4ed8" } },
        { selector: "edge[kind = 'reach'][named = 0]", style: { "line-style": "dashed" } },
        { selector: "edge[kind = 'reach'][both = 0]", style: { "target-arrow-shape": "triangle",
          "target-arrow-color": "#1d4ed8" } },
        { selector: ".faded", style: { "opacity": 0.15 } },
        { selector: "node[kind = 'frame'].faded", style: { "opacity": 1 } },
        { selector: ".hidden", style: { "display": "none" } },
        { selector: "node.selected", style: { "border-width": 4, "border-color": "#0f172a", "opacity": 1 } },
        { selector: "node.reaches", style: { "background-color": "#dcfce7", "border-color": "#15803d", "border-width": 3, "opacity": 1 } },
        { selector: "node.reached-by", style: { "background-color": "#dbeafe", "border-color": "#1d4ed8", "border-width": 3, "opacity": 1 } },
        { selector: "node.mutual", style: { "background-color": "#ede9fe", "border-color": "#7c3aed", "border-width": 3, "opacity": 1 } },
        { selector: "node.match, node:selected", style: { "border-color": "#f59e0b", "border-width": 4, "opacity": 1 } }
      ].concat(ext ? ext.style : [])
    });
    var built = {};
    function eid(level, ref) { return level + "|" + ref; }
    function containerLabel(c) {
      return named(c.name) + (c.findings.length ? "\n⚠ " + c.findings.join(" ") : "");
    }
    function mapOf(level) {
      /* each level's map is parsed the first time it is shown */
      if (!data.levels[level].nodes) {
        var block = document.getElementById("netviz-map-" + level);
        var map = JSON.parse(block.textContent);
        Object.keys(map).forEach(function (k) { data.levels[level][k] = map[k]; });
      }
      return data.levels[level];
    }
    function build(level) {
      if (built[level]) { return; }
      var map = mapOf(level), elements = [];
      map.frames.forEach(function (f) {
        elements.push({ group: "nodes", data: { id: eid(level, "F" + f[0]), kind: "frame", ref: f[0], level: level,
          label: f[5], w: f[3], h: f[4] }, position: { x: f[1] + f[3] / 2, y: f[2] + f[4] / 2 } });
      });
      map.networks.forEach(function (n) {
        var net = byRef[n[0]], c = colors(net.driver), flags = [];
        if (net.internal) { flags.push("INTERNAL"); }
        if (net.policy === "isolated") { flags.push("ICC OFF"); }
        if (net.policy === "by-ip") { flags.push("NO DNS"); }
        elements.push({ group: "nodes", data: { id: eid(level, n[0]), kind: "network", ref: n[0], level: level,
          name: net.name, fill: c[0], stroke: c[1], internal: net.internal ? 1 : 0, w: n[3], h: n[4],
          label: named(net.name) + "\n" + net.driver + (flags.length ? " · " + flags.join(" · ") : "") },
          position: { x: n[1], y: n[2] } });
      });
      map.nodes.forEach(function (n) {
        var item = byRef[n[0]], d;
        if (level === "container") {
          d = { kind: "container", name: item.name, running: item.running ? 1 : 0, label: containerLabel(item) };
        } else {
          d = { kind: "group", name: item.name, running: item.running ? 1 : 0, many: item.size > 1 ? 1 : 0,
            inside: item.data_rows && item.data_rows.length ? 1 : 0, label: item.lines.join("\n") };
        }
        d.id = eid(level, n[0]); d.ref = n[0]; d.level = level; d.w = n[3]; d.h = n[4];
        if (ext) { ext.mark(level, map, d); }
        elements.push({ group: "nodes", data: d, position: { x: n[1], y: n[2] } });
      });
      map.edges.forEach(function (e, i) {
        elements.push({ group: "edges", data: { id: eid(level, "e" + i), kind: "link", level: level,
          source: eid(level, e[0]), target: eid(level, e[1]), policy: e[2], label: e[3],
          stroke: colors(byRef[e[0]].driver)[1] } });
      });
      if (ext) { ext.build(level, map, eid, elements); }
      map.sidecars.forEach(function (s, i) {
        elements.push({ group: "edges", data: { id: eid(level, "s" + i), kind: "link", level: level,
          source: eid(level, s[0]), target: eid(level, s[1]), policy: "sidecar", label: "", stroke: "#7c3aed" } });
      });
      if (data.view === "reachability") {
        var top = -90, w = map.size[0];
        [["outside", "outside\nanything that reaches the host", 0.35], ["host", "host\nits own network stack", 0.65]].forEach(function (s) {
          elements.push({ group: "nodes", data: { id: eid(level, s[0]), kind: s[0], ref: s[0], level: level,
            name: s[0], label: s[1], w: 220, h: 48 }, position: { x: w * s[2], y: top } });
        });
      }
      cy.batch(function () { cy.add(elements).addClass("hidden"); });
      built[level] = true;
    }

    /* ---- what is shown: a level, possibly inside one group (a drill-down) ---- */
    var state = { level: data.level, focus: null, top: data.level, hubs: false };
    var shown = cy.collection();
    function repOf(level, keep) {
      /* container index → the node standing for it in this view (or undefined) */
      var slot = GROUP_AT[level];
      return function (ci) {
        var ref = level === "container" ? data.containers[ci].id : data.containers[ci].groups[slot];
        return keep.has(ref) ? ref : undefined;
      };
    }
    function sizeOf(ref) { var item = byRef[ref]; return has(item, "size") ? item.size : 1; }
    function reachEdges(level, keep) {
      var rep = repOf(level, keep);
      var reps = units.map(function (members) {
        var m = new Map();
        members.forEach(function (ci) { var r = rep(ci); if (r) { m.set(r, (m.get(r) || 0) + 1); } });
        return m;
      });
      var counts = new Map(), size = units.length;
      unitPairs().forEach(function (named, key) {
        var u = Math.floor(key / size), v = key % size;
        if (!reps[u].size || !reps[v].size) { return; }
        reps[u].forEach(function (cu, a) {
          reps[v].forEach(function (cv, b) {
            if (a === b) { return; }
            var k = a + "\u0000" + b, spot = counts.get(k) || [0, 0];
            spot[0] += cu * cv; spot[1] += named ? cu * cv : 0;
            counts.set(k, spot);
          });
        });
      });
      var edges = [];
      counts.forEach(function (spot, k) {
        var ab = k.split("\u0000"), back = counts.get(ab[1] + "\u0000" + ab[0]);
        var both = back !== undefined && back[0] === spot[0] && back[1] === spot[1];
        if (both && ab[0] > ab[1]) { return; }
        var possible = sizeOf(ab[0]) * sizeOf(ab[1]), words = [];
        if (spot[0] < possible) { words.push(spot[0] + " of " + possible + " pairs"); }
        if (spot[1] && spot[1] < spot[0]) { words.push("partly by name"); }
        edges.push({ group: "edges", data: { id: "r|" + k, kind: "reach", source: eid(level, ab[0]),
          target: eid(level, ab[1]), named: spot[1] ? 1 : 0, both: both ? 1 : 0, label: words.join(" · "),
          stroke: "#1d4ed8" } });
      });
      data.containers.forEach(function (c, ci) {
        var r = rep(ci);
        if (!r || !c.running) { return; }
        c.ports.forEach(function (p) {
          var src = p[1] === "local" ? "host" : "outside";
          edges.push({ group: "edges", data: { id: "x|" + ci + "|" + p[0], kind: "exposure", source: eid(level, src),
            target: eid(level, r), label: p[0], stroke: EXPOSED[p[1]], policy: "exposure" } });
        });
        if (c.mode === "host") {
          edges.push({ group: "edges", data: { id: "h|" + ci, kind: "exposure", source: eid(level, r),
            target: eid(level, "host"), label: "is the host", stroke: "#b91c1c", policy: "host" } });
        }
      });
      return edges;
    }
    function show(level, focus) {
      build(level);
      state.level = level; state.focus = focus || null;
      var map = mapOf(level), keep = new Set(), nets = new Set(), ids = [];
      map.nodes.forEach(function (n) { if (!focus || within(n[0], focus)) { keep.add(n[0]); ids.push(eid(level, n[0])); } });
      map.edges.forEach(function (e) { if (keep.has(e[1])) { nets.add(e[0]); } });
      if (!focus) { map.networks.forEach(function (n) { nets.add(n[0]); }); }
      map.frames.forEach(function (f) {
        if (!focus || within(f[0], focus)) { ids.push(eid(level, "F" + f[0])); }
      });
      cy.remove(cy.edges("[kind = 'reach'], [kind = 'exposure'], [kind = 'channel']"));
      var reach = [];
      state.hubs = false;
      if (data.view === "reachability") {
        reach = reachEdges(level, keep);
        if (reach.length > 1500) { state.hubs = true; reach = reach.filter(function (e) { return e.data.kind !== "reach"; }); }
        if (ext) { reach = reach.concat(ext.channels(level, repOf(level, keep), eid, sizeOf)); }
        ids.push(eid(level, "outside"), eid(level, "host"));
      }
      var links = data.view !== "reachability" || state.hubs;
      if (links) { nets.forEach(function (n) { ids.push(eid(level, n)); }); }
      if (links && ext) { ext.shown(level, map, keep, focus).forEach(function (d) { ids.push(eid(level, d)); }); }
      cy.batch(function () {
        shown.addClass("hidden");
        var next = cy.collection(ids.map(function (id) { return cy.getElementById(id); }).filter(function (e) { return e.length; }));
        if (reach.length) { next = next.union(cy.add(reach)); }
        if (links) { next = next.union(next.nodes().edgesWith(next.nodes()).filter("[kind = 'link'], [kind = 'mount']")); }
        next.removeClass("hidden");
        shown = next;
      });
      place(level, focus);
      reset();
      fitTo(shown);
      crumbs();
      document.getElementById("level").value = level;
      legend();
    }
    function place(level, focus) {
      /* inside a group, the networks it shares with the rest of the estate stand far away
         on the map: draw them in a row just above the group while it is shown alone */
      var map = mapOf(level);
      cy.batch(function () {
        map.networks.forEach(function (n) { cy.getElementById(eid(level, n[0])).position({ x: n[1], y: n[2] }); });
        if (!focus) { return; }
        var inside = shown.nodes().filter(function (n) { return n.data("kind") !== "network" && n.data("kind") !== "data"; });
        if (!inside.length) { return; }
        var box = inside.boundingBox(), x = box.x1;
        shown.nodes("[kind = 'network'], [kind = 'data']").forEach(function (n) {
          var p = n.position();
          if (p.x >= box.x1 && p.x <= box.x2 && p.y >= box.y1 && p.y <= box.y2) { return; }
          n.position({ x: x + n.data("w") / 2, y: box.y1 - 70 });
          x += n.data("w") + 24;
        });
      });
    }
    function fitTo(eles) {
      var target = eles && eles.length ? eles.filter(":visible") : shown;
      cy.fit(target.length ? target : undefined, 30);
    }
    function drill(ref) {
      var g = byRef[ref];
      if (!g || !has(FINER, g.level)) { return false; }
      var level = FINER[g.level], count = g.members.length;
      var go = function () { show(level, ref); describeGroup(ref); };
      if (!built[level] && count > BIG) { busy("Drawing " + count.toLocaleString() + " containers…", go); } else { go(); }
      return true;
    }

    /* ---- where you are, and how to go back up ---- */
    var crumbBox = document.getElementById("crumbs");
    function crumbs() {
      while (crumbBox.firstChild) { crumbBox.removeChild(crumbBox.firstChild); }
      var all = el("button", "whole estate", "crumb");
      all.type = "button";
      all.addEventListener("click", function () { show(state.top, null); });
      crumbBox.appendChild(all);
      if (!state.focus) { crumbBox.appendChild(el("span", " · one node per " + state.level, "muted")); return; }
      var chain = ancestors(state.focus).reverse().concat([state.focus]);
      chain.forEach(function (ref) {
        var g = byRef[ref];
        crumbBox.appendChild(el("span", " › ", "muted"));
        if (ref === state.focus) { crumbBox.appendChild(el("b", g.lines[0])); return; }
        var b = el("button", g.lines[0], "crumb");
        b.type = "button";
        b.addEventListener("click", function () { show(FINER[g.level], ref); describeGroup(ref); });
        crumbBox.appendChild(b);
      });
      crumbBox.appendChild(el("span", " · one node per " + state.level, "muted"));
    }

    /* ---- side panel ---- */
    var details = document.getElementById("details");
    function clearDetails() { while (details.firstChild) { details.removeChild(details.firstChild); } }
    function list(title, items) {
      details.appendChild(el("h2", title));
      var ul = el("ul", null, "plain");
      if (!items.length) { ul.appendChild(el("li", "none", "muted")); }
      items.forEach(function (item) { ul.appendChild(item instanceof Node ? item : el("li", item)); });
      details.appendChild(ul);
    }
    var highlighted = { selected: null, reaches: [], reachedBy: [] };
    function reset() {
      cy.elements().removeClass("faded selected reaches reached-by mutual match");
      cy.elements(":selected").unselect();
      highlighted = { selected: null, reaches: [], reachedBy: [] };
      clearDetails();
      details.appendChild(el("p", "Click a container to see what it reaches and what reaches it, a network for its " +
        "members, a group to see what it holds.", "muted"));
    }
    function node(ref) { return cy.getElementById(eid(state.level, ref)); }
    function fade() { shown.addClass("faded"); }
    function selectContainer(ref) {
      var c = byRef[ref], found = reachOf(c.index);
      reset(); clearDetails(); fade();
      var me = node(ref);
      me.removeClass("faded").addClass("selected");
      var reaches = [], reachedBy = [];
      found.out.forEach(function (named, ci) {
        var other = data.containers[ci];
        reaches.push(other.name);
        node(other.id).removeClass("faded").addClass(found.into.has(ci) ? "mutual" : "reaches");
      });
      found.into.forEach(function (named, ci) {
        var other = data.containers[ci];
        reachedBy.push(other.name);
        if (!found.out.has(ci)) { node(other.id).removeClass("faded").addClass("reached-by"); }
      });
      me.connectedEdges().removeClass("faded").connectedNodes().removeClass("faded");
      highlighted = { selected: c.name, reaches: reaches.sort(), reachedBy: reachedBy.sort() };
      details.appendChild(el("h2", "Container"));
      details.appendChild(el("p", c.name));
      details.appendChild(el("p", c.image + " · " + c.state + (c.mode ? " · network mode " + c.mode : "") +
        (c.host ? " · on " + c.host : ""), "muted"));
      list("Networks", c.endpoints.map(function (e) { return byRef[e.net].name + ": " + (e.ips.join(", ") || "no address"); }));
      list("Published ports", c.ports.map(function (p) { return p[0]; }));
      function named(map, ci) { return data.containers[ci].name + (map.get(ci) ? " — by name" : " — by IP only"); }
      list("Reaches (green; purple both ways)", Array.from(found.out.keys()).sort(byName).map(function (ci) {
        return el("li", named(found.out, ci), found.into.has(ci) ? "reach-both" : "reach-out");
      }));
      list("Reached by (blue)", Array.from(found.into.keys()).sort(byName).map(function (ci) {
        return el("li", named(found.into, ci), "reach-in");
      }));
      list("Its findings", c.findings);
      if (ext) { ext.panel(c, list); }
    }
    function byName(a, b) {
      var x = data.containers[a].name, y = data.containers[b].name;
      return x < y ? -1 : x > y ? 1 : 0;
    }
    function selectNetwork(ref) {
      var n = byRef[ref];
      reset(); clearDetails(); fade();
      var me = node(ref);
      me.removeClass("faded").addClass("selected");
      me.connectedEdges().removeClass("faded");
      me.neighborhood("node").removeClass("faded");
      details.appendChild(el("h2", "Network"));
      details.appendChild(el("p", n.name));
      details.appendChild(el("p", n.driver + " · " + n.scope + (n.host ? " · on " + n.host : "") +
        " · " + n.policy_text, "muted"));
      list("Subnets", n.subnets);
      var members = data.containers.filter(function (c) {
        return c.endpoints.some(function (e) { return e.net === ref; });
      }).map(function (c) { return c.name; }).sort();
      list("Members", members);
      list("Its findings", n.findings);
      highlighted = { selected: n.name, reaches: [], reachedBy: [] };
    }
    function describeGroup(ref) {
      var g = byRef[ref];
      clearDetails();
      details.appendChild(el("h2", g.kind_text));
      details.appendChild(el("p", g.lines[0]));
      details.appendChild(el("p", g.lines.slice(1).join(" · "), "muted"));
      if (g.states) { details.appendChild(el("p", g.states)); }
      if (g.own) { details.appendChild(el("p", g.own)); }
      if (g.differs) { details.appendChild(el("p", g.differs, "caveat")); }
      if (g.findings) { details.appendChild(el("p", g.findings, "sev sev-" + g.worst)); }
      list("Published ports", g.ports.map(function (p) { return p[0]; }));
      if (g.parts.length) { list("Made of", g.parts.map(function (p) { return p[1] > 1 ? p[0] + " ×" + p[1] : p[0]; })); }
      list("Containers (" + g.size + ")", g.members.slice(0, 200).map(function (ci) { return data.containers[ci].name; }));
      if (ext) { ext.groupPanel(g, list); }
    }
    cy.on("tap", "node[kind = 'container']", function (e) { selectContainer(e.target.data("ref")); });
    cy.on("tap", "node[kind = 'network']", function (e) { selectNetwork(e.target.data("ref")); });
    cy.on("tap", "node[kind = 'group']", function (e) { drill(e.target.data("ref")); });
    cy.on("tap", function (e) { if (e.target === cy) { reset(); } });

    /* ---- level, filters, search ---- */
    var levelSelect = document.getElementById("level");
    levelSelect.addEventListener("change", function () {
      var level = levelSelect.value;
      state.top = level;
      if (!built[level] && data.containers.length > BIG) {
        busy("Drawing the " + level + " level of " + data.containers.length.toLocaleString() + " containers…", function () { show(level, null); });
      } else { show(level, null); }
    });
    function fill(select, values) {
      values.forEach(function (v) { var o = el("option", v[1]); o.value = v[0]; select.appendChild(o); });
    }
    var netFilter = document.getElementById("filter-network"), projFilter = document.getElementById("filter-project");
    fill(netFilter, data.networks.map(function (n) { return [n.id, n.name]; }).sort(function (a, b) { return a[1] < b[1] ? -1 : 1; }));
    var projects = Object.keys(data.groups).filter(function (id) {
      var g = data.groups[id]; return g.level === "project" && (g.kind === "project" || g.kind === "stack");
    }).map(function (id) { return [id, data.groups[id].name]; }).sort(function (a, b) { return a[1] < b[1] ? -1 : 1; });
    fill(projFilter, projects);
    projFilter.addEventListener("change", function () {
      netFilter.value = "";
      if (projFilter.value) { show("container", projFilter.value); describeGroup(projFilter.value); } else { show(state.top, null); }
    });
    netFilter.addEventListener("change", function () {
      projFilter.value = "";
      var ref = netFilter.value;
      if (!ref) { show(state.top, null); return; }
      var level = mapOf(state.level).networks.some(function (n) { return n[0] === ref; }) ? state.level : "container";
      show(level, null);
      var net = node(ref), keep = net.union(net.neighborhood()).filter(function (n) { return !n.hasClass("hidden"); });
      cy.batch(function () { shown.not(keep).addClass("hidden"); });
      shown = keep;
      fitTo(keep);
      selectNetwork(ref);
    });
    function search(query) {
      cy.elements().removeClass("match");
      cy.elements(":selected").unselect();
      var q = String(query).trim().toLowerCase();
      if (!q) { return []; }
      var hitC = data.containers.filter(function (c) { return c.name.toLowerCase().indexOf(q) >= 0; });
      var hitN = data.networks.filter(function (n) { return n.name.toLowerCase().indexOf(q) >= 0; });
      var names = hitC.concat(hitN).map(function (x) { return x.name; }).sort();
      var refs = new Set();
      function visible(ref) { var n = node(ref); return n.length && !n.hasClass("hidden"); }
      if (hitC.length === 1 && !hitN.length && !visible(hitC[0].id)) {
        /* one container, inside a group here: open its project at container level */
        show("container", hitC[0].groups[1]);
      }
      hitC.forEach(function (c) {
        if (visible(c.id)) { refs.add(c.id); return; }
        var holder = c.groups.filter(visible)[0];
        if (holder) { refs.add(holder); }
      });
      hitN.forEach(function (n) { if (visible(n.id)) { refs.add(n.id); } });
      var hitD = (data.data || []).filter(function (d) { return d.name.toLowerCase().indexOf(q) >= 0; });
      hitD.forEach(function (d) { if (visible(d.id)) { refs.add(d.id); } });
      names = names.concat(hitD.map(function (d) { return d.name; })).sort();
      Object.keys(data.groups).forEach(function (id) {
        if (data.groups[id].name.toLowerCase().indexOf(q) >= 0 && visible(id)) { refs.add(id); }
      });
      var found = cy.collection(Array.from(refs).map(node).filter(function (e) { return e.length; }));
      found.addClass("match").select();
      if (hitC.length === 1 && refs.has(hitC[0].id)) { selectContainer(hitC[0].id); node(hitC[0].id).addClass("match").select(); }
      if (found.length) { fitTo(found); }
      return names;
    }
    var searchBox = document.getElementById("search"), pending = null;
    searchBox.addEventListener("input", function () {
      window.clearTimeout(pending);
      pending = window.setTimeout(function () { search(searchBox.value); }, 150);
    });
    document.getElementById("fit").addEventListener("click", function () { fitTo(shown); });

    /* ---- findings and legend ---- */
    var findings = document.getElementById("findings");
    if (!data.findings.length) { findings.appendChild(el("li", "none", "muted")); }
    data.findings.forEach(function (f) {
      var li = el("li", null, "finding");
      li.appendChild(el("span", f.severity, "sev sev-" + f.severity));
      var who = f.subjects.length > 6 ? f.subjects.slice(0, 6).join(", ") + " … (" + f.subjects.length + ")" : f.subjects.join(", ");
      li.appendChild(el("span", f.id + " " + f.title + (f.count > 1 ? " ×" + f.count : "") + ": " + who));
      li.title = f.explanation;
      li.addEventListener("click", function () {
        cy.elements().removeClass("match");
        var subjects = new Set(f.subjects);
        var hits = shown.nodes("[name]").filter(function (n) { return subjects.has(n.data("name")); });
        if (!hits.length) {
          /* the subjects are inside groups here: mark the groups that hold them */
          var holders = new Set();
          data.containers.forEach(function (c) { if (subjects.has(c.name)) { c.groups.forEach(function (g) { holders.add(g); }); } });
          hits = shown.nodes("[kind = 'group']").filter(function (n) { return holders.has(n.data("ref")); });
        }
        hits.addClass("match");
        if (hits.length) { fitTo(hits); }
      });
      findings.appendChild(li);
    });
    var legendBox = document.getElementById("legend");
    var LINES = { "by-name": ["solid", "#1d4ed8", "members reach each other by IP and name"],
      "by-ip": ["dashed", "#1d4ed8", "by IP only (default bridge)"], "isolated": ["dotted", "#dc2626", "members blocked (icc off)"],
      "host": ["solid", "#b91c1c", "host network: the host's own stack"], "stopped": ["dotted", "#9ca3af", "no network / not running"],
      "none": ["dotted", "#9ca3af", "no network / not running"], "sidecar": ["dashed", "#7c3aed", "sidecar shares the stack of"] };
    function legend() {
      while (legendBox.firstChild) { legendBox.removeChild(legendBox.firstChild); }
      var drivers = {}, lines = {}, tiles = false, stopped = false;
      shown.forEach(function (e) {
        if (e.data("kind") === "network") { drivers[has(DRIVERS, byRef[e.data("ref")].driver) ? byRef[e.data("ref")].driver : "plugin"] = true; }
        if (e.data("kind") === "link") { lines[e.data("policy")] = true; }
        if (e.data("kind") === "group") { tiles = true; }
        if (e.isNode() && e.data("running") === 0) { stopped = true; }
      });
      Object.keys(drivers).sort().forEach(function (d) {
        var c = colors(d === "plugin" ? "" : d), li = el("li");
        var sw = el("span", null, "swatch"); sw.style.background = c[0]; sw.style.borderColor = c[1];
        li.appendChild(sw); li.appendChild(el("span", d + " network")); legendBox.appendChild(li);
      });
      var seen = {};
      Object.keys(LINES).forEach(function (k) {
        if (!lines[k] || seen[LINES[k][2]]) { return; }
        seen[LINES[k][2]] = true;
        var li = el("li"), line = el("span", null, "line");
        line.style.borderTopStyle = LINES[k][0]; line.style.borderTopColor = LINES[k][1];
        li.appendChild(line); li.appendChild(el("span", LINES[k][2])); legendBox.appendChild(li);
      });
      if (data.view === "reachability") {
        legendBox.appendChild(el("li", state.hubs ? "too many pairs: drawn per network" :
          "blue line: they reach each other (dashed: by IP only; arrow: one way only; “3 of 12 pairs”: some members only)", "muted"));
      }
      if (data.networks.some(function (n) { return n.internal; }) && drivers.bridge) { legendBox.appendChild(el("li", "double border: internal network", "muted")); }
      if (stopped) { legendBox.appendChild(el("li", "dashed box: not running", "muted")); }
      if (tiles) { legendBox.appendChild(el("li", "a box with a thick border stands for several containers: click it to see them", "muted")); }
      if (ext) { ext.legend(legendBox, el, shown, data.view); }
      if (data.findings.length) { legendBox.appendChild(el("li", "⚠ IDs: audit findings (list above)", "muted")); }
    }

    show(data.level, null);
    status.style.display = "none";
    performance.mark("netviz-drawn");
    window.netviz = {
      cy: cy, ready: true, search: search, show: show, drill: drill,
      state: function () { return { level: state.level, focus: state.focus, hubs: state.hubs }; },
      select: function (name) {
        var hit = shown.nodes("[name]").filter(function (n) { return n.data("name") === name; })[0];
        if (!hit) { return false; }
        var kind = hit.data("kind");
        if (kind === "container") { selectContainer(hit.data("ref")); } else if (kind === "network") { selectNetwork(hit.data("ref")); } else if (kind === "group") { drill(hit.data("ref")); } else { return false; }
        return true;
      },
      frameOf: function (name) {
        var hit = shown.nodes("[name]").filter(function (n) { return n.data("name") === name; })[0];
        if (!hit) { return []; }
        var p = hit.position();
        return shown.nodes("[kind = 'frame']").filter(function (f) {
          var b = f.boundingBox(); return p.x >= b.x1 && p.x <= b.x2 && p.y >= b.y1 && p.y <= b.y2;
        }).map(function (f) { return f.data("label"); }).sort();
      },
      visible: function () {
        return shown.nodes("[name]").filter(function (n) { return !n.hasClass("hidden"); }).map(function (n) { return n.data("name"); }).sort();
      },
      highlighted: function () { return highlighted; }
    };
  }
})();
