/**
 * Hand-written SVG chart: small multiples, one panel per scenario, one line per client,
 * y = requests accepted per window (non-overlapping buckets of windowMs), x = time in windows
 * since the panel's start. A dashed line marks L (the limit per window).
 * No dependency: plain string building.
 */

export interface ChartLine {
	label: string;
	/** [windowIndex, acceptedInThatWindow] */
	points: Array<[number, number]>;
	/** optional second series: 429s per window (drawn as small red ticks) */
	rejected?: Array<[number, number]>;
}

export interface ChartPanel {
	title: string;
	subtitle?: string;
	limit: number;
	lines: ChartLine[];
	/** spans the full width of the chart */
	wide?: boolean;
}

const PALETTE = [
	'#1f77b4',
	'#d62728',
	'#2ca02c',
	'#ff7f0e',
	'#9467bd',
	'#8c564b',
	'#e377c2',
	'#17becf',
];

function esc(s: string): string {
	return s
		.replace(/&/g, '&amp;')
		.replace(/</g, '&lt;')
		.replace(/>/g, '&gt;')
		.replace(/"/g, '&quot;');
}

function niceMax(v: number): number {
	if (v <= 0) return 1;
	const pow = Math.pow(10, Math.floor(Math.log10(v)));
	for (const m of [1, 1.5, 2, 2.5, 3, 4, 5, 6, 8, 10]) if (m * pow >= v) return m * pow;
	return 10 * pow;
}

function ticks(max: number, count = 5): number[] {
	const step = niceMax(max / count);
	const out: number[] = [];
	for (let v = 0; v <= max + 1e-9; v += step) out.push(Math.round(v * 1000) / 1000);
	return out;
}

export function renderChart(
	panels: ChartPanel[],
	opts: { title: string; footer?: string; columns?: number },
): string {
	const columns = opts.columns ?? 2;
	const pw = 560;
	const ph = 250;
	const margin = { l: 46, r: 14, t: 40, b: 34 };
	const legendH = 18;
	// layout: a wide panel takes a row of its own, the others fill `columns` per row
	const slots: Array<{ col: number; row: number; span: number }> = [];
	let r = 0;
	let c = 0;
	for (const p of panels) {
		if (p.wide) {
			if (c > 0) {
				r++;
				c = 0;
			}
			slots.push({ col: 0, row: r, span: columns });
			r++;
			continue;
		}
		slots.push({ col: c, row: r, span: 1 });
		c++;
		if (c >= columns) {
			c = 0;
			r++;
		}
	}
	const rows = c > 0 ? r + 1 : r;
	const headerH = 36;
	const footerH = opts.footer ? 26 : 6;
	const width = columns * pw;
	const height = headerH + rows * (ph + legendH * 2) + footerH;
	const out: string[] = [];
	out.push(
		`<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="Helvetica, Arial, sans-serif" font-size="11">`,
	);
	out.push(`<rect x="0" y="0" width="${width}" height="${height}" fill="#ffffff"/>`);
	out.push(
		`<text x="${width / 2}" y="22" text-anchor="middle" font-size="15" font-weight="bold">${esc(opts.title)}</text>`,
	);

	panels.forEach((panel, idx) => {
		const { col, row, span } = slots[idx];
		const ox = col * pw;
		const oy = headerH + row * (ph + legendH * 2);
		const legendRows = Math.ceil(panel.lines.length / 3);
		const plotW = span * pw - margin.l - margin.r;
		const plotH = ph - margin.t - margin.b + (2 - legendRows) * legendH;
		const px = ox + margin.l;
		const py = oy + margin.t + legendRows * legendH;
		let xMax = 1;
		let yMax = panel.limit * 1.25;
		for (const line of panel.lines) {
			for (const [x, y] of line.points) {
				xMax = Math.max(xMax, x + 1);
				yMax = Math.max(yMax, y);
			}
			for (const [x] of line.rejected ?? []) xMax = Math.max(xMax, x + 1);
		}
		yMax = niceMax(yMax);
		const xTicks = ticks(xMax, 6);
		xMax = Math.max(xMax, xTicks[xTicks.length - 1]);
		const sx = (x: number) => px + (x / xMax) * plotW;
		const sy = (y: number) => py + plotH - (y / yMax) * plotH;

		out.push(`<g>`);
		out.push(
			`<text x="${ox + 10}" y="${oy + 14}" font-size="12" font-weight="bold">${esc(panel.title)}</text>`,
		);
		if (panel.subtitle)
			out.push(`<text x="${ox + 10}" y="${oy + 27}" fill="#555">${esc(panel.subtitle)}</text>`);
		// legend
		panel.lines.forEach((line, li) => {
			const lx = ox + margin.l + (li % 3) * 170 * span;
			const ly = oy + margin.t + Math.floor(li / 3) * legendH;
			const color = PALETTE[li % PALETTE.length];
			out.push(
				`<line x1="${lx}" y1="${ly - 4}" x2="${lx + 16}" y2="${ly - 4}" stroke="${color}" stroke-width="2"/>`,
			);
			out.push(`<text x="${lx + 20}" y="${ly}">${esc(line.label)}</text>`);
		});
		// axes + grid
		out.push(
			`<rect x="${px}" y="${py}" width="${plotW}" height="${plotH}" fill="none" stroke="#999"/>`,
		);
		for (const t of ticks(yMax, 4)) {
			out.push(`<line x1="${px}" y1="${sy(t)}" x2="${px + plotW}" y2="${sy(t)}" stroke="#eee"/>`);
			out.push(`<text x="${px - 4}" y="${sy(t) + 4}" text-anchor="end" fill="#444">${t}</text>`);
		}
		for (const t of xTicks) {
			out.push(
				`<text x="${sx(t)}" y="${py + plotH + 13}" text-anchor="middle" fill="#444">${t}</text>`,
			);
		}
		out.push(
			`<text x="${px + plotW / 2}" y="${py + plotH + 27}" text-anchor="middle" fill="#444">time (windows since start)</text>`,
		);
		out.push(
			`<text x="${ox + 12}" y="${py + plotH / 2}" text-anchor="middle" fill="#444" transform="rotate(-90 ${ox + 12} ${py + plotH / 2})">accepted / window</text>`,
		);
		// limit line
		out.push(
			`<line x1="${px}" y1="${sy(panel.limit)}" x2="${px + plotW}" y2="${sy(panel.limit)}" stroke="#000" stroke-dasharray="5,4" stroke-width="1"/>`,
		);
		out.push(
			`<text x="${px + plotW - 2}" y="${sy(panel.limit) - 3}" text-anchor="end" fill="#000">L = ${panel.limit}</text>`,
		);
		panel.lines.forEach((line, li) => {
			const color = PALETTE[li % PALETTE.length];
			if (line.points.length > 0) {
				// step line: each window drawn as a horizontal segment
				let d = '';
				for (const [x, y] of line.points) {
					d += `${d ? 'L' : 'M'}${sx(x).toFixed(1)},${sy(y).toFixed(1)} L${sx(x + 1).toFixed(1)},${sy(y).toFixed(1)} `;
				}
				out.push(
					`<path d="${d.trim()}" fill="none" stroke="${color}" stroke-width="1.6" stroke-opacity="0.85"/>`,
				);
			}
			for (const [x, yRaw] of line.rejected ?? []) {
				if (yRaw <= 0) continue;
				// 429 ticks are clipped to the plot (a burst of hundreds would flatten every line)
				const y = Math.min(yRaw, yMax);
				out.push(
					`<line x1="${sx(x + 0.5).toFixed(1)}" y1="${sy(0).toFixed(1)}" x2="${sx(x + 0.5).toFixed(1)}" y2="${sy(y).toFixed(1)}" stroke="${color}" stroke-width="1" stroke-dasharray="2,2" stroke-opacity="0.7"/>`,
				);
			}
		});
		out.push(`</g>`);
	});
	if (opts.footer)
		out.push(`<text x="10" y="${height - 9}" fill="#555">${esc(opts.footer)}</text>`);
	out.push(`</svg>`);
	return out.join('\n') + '\n';
}
