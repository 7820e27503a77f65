/* docker-netviz: what containers share besides the network, on the interactive page.
   app.js calls window.netvizData(data) for extra elements, styles, panel lists and legend
   rows. Engine text reaches the page only through textContent and canvas labels. */
(function () {
  "use strict";
  var BROWN = "#92400e", RED = "#b91c1c";
  window.netvizData = function (data) {
    var elements = [], powered = {}, outgoing = {}, mountsOf = {}, names = {};
    (data.data || []).forEach(function (d) {
      names[d.id] = d.name;
      elements.push({ data: { id: d.id, kind: "data", dkind: d.kind, name: d.name,
        label: d.name + "\n" + (d.kind === "volume" ? "volume" : "host path") } });
    });
    (data.mounts || []).forEach(function (m, i) {
      elements.push({ data: { id: "m" + i, source: m[0], target: m[1], policy: m[3] ? "mount-rw" : "mount-ro", label: m[2] } });
      (mountsOf[m[0]] = mountsOf[m[0]] || []).push(names[m[1]] + " at " + m[2] + (m[3] ? "" : " (read-only)"));
    });
    (data.host_equivalent || []).forEach(function (h) { powered[h.id] = h.powers; });
    (data.channels || []).forEach(function (ch) {
      var a = data.containers[ch[0]].id, b = data.containers[ch[1]].name;
      (outgoing[a] = outgoing[a] || []).push(ch[2] + " → " + b + ": " + ch[3] + " (" + ch[4] + ")");
    });
    return {
      elements: elements,
      style: [
        { selector: "node[kind = 'data']", style: { "background-color": "#fef3c7", "border-color": BROWN,
          "border-width": 2, "width": "label", "height": "label", "padding": 8, "font-size": 10 } },
        { selector: "node[dkind = 'volume']", style: { "shape": "barrel" } },
        { selector: "node[dkind = 'path']", style: { "shape": "cut-rectangle", "background-color": "#fefce8" } },
        { selector: "edge[policy = 'mount-rw'], edge[policy = 'mount-ro']", style: { "line-color": BROWN,
          "label": "data(label)", "font-size": 9, "color": BROWN, "text-rotation": "autorotate" } },
        { selector: "edge[policy = 'mount-ro']", style: { "line-style": "dashed", "width": 1.5 } },
        { selector: "node[hosteq = 1]", style: { "background-color": "#fee2e2", "border-color": RED, "border-width": 4 } }
      ],
      attach: function (cy) {
        Object.keys(powered).forEach(function (id) {
          var node = cy.getElementById(id);
          node.data("hosteq", 1);
          node.data("label", node.data("label") + "\n⚠ equivalent to the host");
        });
      },
      panel: function (c, list) {
        list("Mounts (brown; dashed read-only)", mountsOf[c.id] || []);
        list("Can affect besides the network", outgoing[c.id] || []);
        if (powered[c.id]) { list("Equivalent to the host through", powered[c.id]); }
      },
      legend: function (legend, el) {
        [["solid", BROWN, "mounts a volume or host path read-write"], ["dashed", BROWN, "mounts it read-only"]].forEach(function (s) {
          var li = el("li"), line = el("span", null, "line");
          line.style.borderTopStyle = s[0]; line.style.borderTopColor = s[1];
          li.appendChild(line); li.appendChild(el("span", s[2])); legend.appendChild(li);
        });
        legend.appendChild(el("li", "barrel: volume; cut box: host path; red box: equivalent to the host (power over every container)", "muted"));
      }
    };
  };
})();
