// Building the page from data with DOM calls only: text goes in as textContent and
// attributes through setAttribute, never through innerHTML, so what a customer typed is
// always shown as text and can never become markup or script.

/// el('td', {className: 'x', text: 'hello', title: 'hover', attrs: {'data-n': 1}}, child...)
export function el(tag, options = {}, ...children) {
    const element = document.createElement(tag);
    if (options.className) element.className = options.className;
    if (options.text !== undefined && options.text !== null) element.textContent = String(options.text);
    if (options.title) element.title = String(options.title);
    for (const [name, value] of Object.entries(options.attrs ?? {}))
        if (value !== undefined && value !== null && value !== false) element.setAttribute(name, String(value));
    for (const child of children) if (child) element.append(child);
    return element;
}

export function show(element, visible) {
    element.hidden = !visible;
}

/// Replaces the children of `element` with `children`.
export function replaceChildren(element, ...children) {
    element.replaceChildren(...children.filter(Boolean));
}
