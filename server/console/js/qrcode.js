// The two-factor setup's QR code, drawn in the page from the otpauth:// URI with Debian's
// qrcode-generator (package node-qrcode-generator), which the server serves under
// /console/vendor/qrcode-generator/ (--qrcode-dir). It is a classic script, not a module:
// it is loaded once with a <script src> (allowed by script-src 'self') and defines the
// global `qrcode`. The code is drawn as an SVG built with DOM calls (no markup strings), so
// the secret never leaves the page and nothing is fetched with it.

const kScriptUrl = '/console/vendor/qrcode-generator/qrcode.js';
const kSvg = 'http://www.w3.org/2000/svg';

let loading = null;

/// Resolves to the qrcode factory, or rejects when the server does not have the library.
export function loadQrcode() {
    if (window.qrcode) return Promise.resolve(window.qrcode);
    if (loading) return loading;
    loading = new Promise((resolve, reject) => {
        const script = document.createElement('script');
        script.src = kScriptUrl;
        script.addEventListener('load', () => (window.qrcode ? resolve(window.qrcode) : reject(new Error('qrcode-generator did not load'))));
        script.addEventListener('error', () => {
            script.remove();
            loading = null;
            reject(new Error('qrcode-generator is not installed on the server'));
        });
        document.head.append(script);
    });
    return loading;
}

/// An <svg> of `text` as a QR code (error correction M, the smallest version that holds
/// it), `title` its accessible name; a quiet zone of 4 modules, as the standard asks.
export async function qrSvg(text, { title, size = 200 } = {}) {
    const qrcode = await loadQrcode();
    const code = qrcode(0, 'M');
    code.addData(text, 'Byte');
    code.make();
    const count = code.getModuleCount();
    const quiet = 4;
    const total = count + 2 * quiet;
    // One path of unit squares: small, crisp at any size.
    let d = '';
    for (let row = 0; row < count; row += 1)
        for (let col = 0; col < count; col += 1)
            if (code.isDark(row, col)) d += `M${col + quiet} ${row + quiet}h1v1h-1z`;
    const svg = document.createElementNS(kSvg, 'svg');
    svg.setAttribute('viewBox', `0 0 ${total} ${total}`);
    svg.setAttribute('width', String(size));
    svg.setAttribute('height', String(size));
    svg.setAttribute('role', 'img');
    svg.setAttribute('shape-rendering', 'crispEdges');
    svg.setAttribute('class', 'qr-code');
    const label = document.createElementNS(kSvg, 'title');
    label.textContent = title ?? '';
    const background = document.createElementNS(kSvg, 'rect');
    background.setAttribute('width', String(total));
    background.setAttribute('height', String(total));
    background.setAttribute('fill', '#fff');
    const modules = document.createElementNS(kSvg, 'path');
    modules.setAttribute('d', d);
    modules.setAttribute('fill', '#000');
    svg.append(label, background, modules);
    svg.dataset.modules = String(count);
    return svg;
}
