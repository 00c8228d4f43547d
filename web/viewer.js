// viewer.js: the planners' web map: tiled's XYZ tiles over an optional OSM base map,
// with a layer switcher built from /health. Depends only on OpenLayers' full build (ol.js).
'use strict';

const DRAW_ORDER = ['zoning', 'green_spaces', 'industrial_parks', 'roads', 'districts'];
const TITLES = {
  zoning: 'Quy hoạch sử dụng đất', green_spaces: 'Cây xanh', industrial_parks: 'Khu công nghiệp',
  roads: 'Giao thông', districts: 'Ranh giới hành chính',
};
const ZONES = [
  ['R1', '#f7e08b', 'Đất ở mật độ thấp'], ['R2', '#f0a850', 'Đất ở mật độ cao'],
  ['C', '#e8696b', 'Thương mại – dịch vụ'], ['IND', '#b49bd6', 'Công nghiệp'],
  ['MX', '#e38fc3', 'Hỗn hợp'], ['PUB', '#d59a6a', 'Công trình công cộng'],
  ['GR', '#8ccc79', 'Cây xanh – công viên'], ['AG', '#dfe9b4', 'Nông nghiệp'],
  ['W', '#9cc7ec', 'Mặt nước'],
];

function orderLayers(names) {
  const known = DRAW_ORDER.filter((n) => names.includes(n));
  return known.concat(names.filter((n) => !DRAW_ORDER.includes(n)).sort());
}

function tileUrl(layers) {
  const hidpi = window.devicePixelRatio > 1 ? '@2x' : '';
  return '/tiles/' + layers.join(',') + '/{z}/{x}/{y}' + hidpi + '.png';
}

async function main() {
  const status = document.getElementById('status');
  let health;
  try {
    health = await (await fetch('/health')).json();
  } catch (e) {
    status.textContent = 'Không kết nối được máy chủ: ' + e;
    return;
  }
  const names = orderLayers(health.layers.map((l) => l.name));
  const shown = new Set(names);

  const tiles = new ol.source.XYZ({
    url: tileUrl(names), tilePixelRatio: window.devicePixelRatio > 1 ? 2 : 1,
    maxZoom: 20, transition: 0,
  });
  const base = new ol.layer.Tile({ source: new ol.source.OSM(), opacity: 0.5, visible: false });
  const map = new ol.Map({
    target: 'map',
    layers: [base, new ol.layer.Tile({ source: tiles })],
    view: new ol.View({ center: ol.proj.fromLonLat([106.66, 11.02]), zoom: 12, maxZoom: 20 }),
  });
  const ext = health.layers.map((l) => l.extent).filter(Boolean);
  if (ext.length && !location.hash) {
    const e = ext.reduce((a, b) => [Math.min(a[0], b[0]), Math.min(a[1], b[1]),
                                    Math.max(a[2], b[2]), Math.max(a[3], b[3])]);
    map.getView().fit(e, { padding: [20, 260, 20, 20] });
  }

  const box = document.getElementById('layers');
  const addCheck = (label, checked, onchange) => {
    const l = document.createElement('label');
    const c = document.createElement('input');
    c.type = 'checkbox';
    c.checked = checked;
    c.onchange = () => onchange(c.checked);
    l.append(c, ' ' + label);
    box.append(l);
  };
  for (const n of names) {
    addCheck(TITLES[n] || n, true, (on) => {
      if (on) shown.add(n); else shown.delete(n);
      const sel = names.filter((x) => shown.has(x));
      tiles.setUrl(sel.length ? tileUrl(sel) : tileUrl(['zoning']));
      map.getLayers().item(1).setVisible(sel.length > 0);
    });
  }
  addCheck('Nền OpenStreetMap (cần Internet)', false, (on) => base.setVisible(on));

  const legend = document.getElementById('legend');
  for (const [code, colour, name] of ZONES) {
    const row = document.createElement('div');
    row.innerHTML = '<span class="sw" style="background:' + colour + '"></span>' + code + ' – ' + name;
    legend.append(row);
  }
}

main();
