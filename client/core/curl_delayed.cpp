// libcurl, loaded on first use instead of at start: the libcurl functions the client core
// calls, defined here as forwarders to the real ones, which are looked up with dlopen/dlsym
// the first time any of them is called.
//
// Why: Debian's libcurl brings ~26 libraries the GUI does not otherwise load (GnuTLS,
// Kerberos, LDAP, SASL, libssh2, nghttp2, ...), and loading and relocating them, with their
// constructors, sat between the start of `helpline` and its first window. Linked into an
// executable together with `-Wl,--as-needed` (client/gui/CMakeLists.txt), these
// definitions satisfy every reference of the core, so libcurl drops out of the program's
// DT_NEEDED list; the device link's first request, on its own thread and after the window
// is shown, is what loads it. The CLI and the tests link libcurl as usual.
//
// Only what the core (and the tests' HTTP client, tests/support, which shares test
// programs with it) uses is here. A libcurl function the core starts to use must be added
// too, or `helpline` takes it from libcurl itself, which is then loaded at start again: the
// test `client.curl_delayed.not_needed` fails when that happens.

#include <curl/curl.h>
#include <dlfcn.h>

#include <cstdarg>
#include <cstdio>
#include <mutex>

namespace {

constexpr const char* kLibrary = "libcurl.so.4";

struct Api {
    bool loaded = false;
    decltype(&::curl_global_init) global_init = nullptr;
    decltype(&::curl_free) free = nullptr;
    decltype(&::curl_slist_append) slist_append = nullptr;
    decltype(&::curl_slist_free_all) slist_free_all = nullptr;
    decltype(&::curl_easy_strerror) easy_strerror = nullptr;
    decltype(&::curl_easy_init) easy_init = nullptr;
    decltype(&::curl_easy_setopt) easy_setopt = nullptr;
    decltype(&::curl_easy_perform) easy_perform = nullptr;
    decltype(&::curl_easy_cleanup) easy_cleanup = nullptr;
    decltype(&::curl_easy_reset) easy_reset = nullptr;
    decltype(&::curl_easy_getinfo) easy_getinfo = nullptr;
    decltype(&::curl_easy_recv) easy_recv = nullptr;
    decltype(&::curl_easy_send) easy_send = nullptr;
    decltype(&::curl_multi_init) multi_init = nullptr;
    decltype(&::curl_multi_add_handle) multi_add_handle = nullptr;
    decltype(&::curl_multi_remove_handle) multi_remove_handle = nullptr;
    decltype(&::curl_multi_poll) multi_poll = nullptr;
    decltype(&::curl_multi_wakeup) multi_wakeup = nullptr;
    decltype(&::curl_multi_perform) multi_perform = nullptr;
    decltype(&::curl_multi_cleanup) multi_cleanup = nullptr;
    decltype(&::curl_multi_info_read) multi_info_read = nullptr;
    decltype(&::curl_url) url = nullptr;
    decltype(&::curl_url_cleanup) url_cleanup = nullptr;
    decltype(&::curl_url_get) url_get = nullptr;
    decltype(&::curl_url_set) url_set = nullptr;
};

template <class F>
bool bind(void* library, const char* name, F& out) {
    out = reinterpret_cast<F>(::dlsym(library, name));
    return out != nullptr;
}

Api load() {
    Api api;
    // RTLD_LOCAL: libcurl's dependencies stay out of the global namespace, as with any
    // plug-in. The handle is never closed: libcurl lives until the process ends.
    void* library = ::dlopen(kLibrary, RTLD_NOW | RTLD_LOCAL);
    if (library == nullptr) {
        std::fprintf(stderr,
                     "helpline: cannot load %s (%s): the client cannot reach its team server. "
                     "Install libcurl 4 (Debian: apt-get install libcurl4).\n",
                     kLibrary, ::dlerror());
        return api;
    }
    api.loaded = bind(library, "curl_global_init", api.global_init) &&
                 bind(library, "curl_free", api.free) &&
                 bind(library, "curl_slist_append", api.slist_append) &&
                 bind(library, "curl_slist_free_all", api.slist_free_all) &&
                 bind(library, "curl_easy_strerror", api.easy_strerror) &&
                 bind(library, "curl_easy_init", api.easy_init) &&
                 bind(library, "curl_easy_setopt", api.easy_setopt) &&
                 bind(library, "curl_easy_perform", api.easy_perform) &&
                 bind(library, "curl_easy_cleanup", api.easy_cleanup) &&
                 bind(library, "curl_easy_reset", api.easy_reset) &&
                 bind(library, "curl_easy_getinfo", api.easy_getinfo) &&
                 bind(library, "curl_easy_recv", api.easy_recv) &&
                 bind(library, "curl_easy_send", api.easy_send) &&
                 bind(library, "curl_multi_init", api.multi_init) &&
                 bind(library, "curl_multi_add_handle", api.multi_add_handle) &&
                 bind(library, "curl_multi_remove_handle", api.multi_remove_handle) &&
                 bind(library, "curl_multi_poll", api.multi_poll) &&
                 bind(library, "curl_multi_wakeup", api.multi_wakeup) &&
                 bind(library, "curl_multi_perform", api.multi_perform) &&
                 bind(library, "curl_multi_cleanup", api.multi_cleanup) &&
                 bind(library, "curl_multi_info_read", api.multi_info_read) &&
                 bind(library, "curl_url", api.url) &&
                 bind(library, "curl_url_cleanup", api.url_cleanup) &&
                 bind(library, "curl_url_get", api.url_get) &&
                 bind(library, "curl_url_set", api.url_set);
    if (!api.loaded)
        std::fprintf(stderr, "helpline: %s lacks a function the client needs (%s); install libcurl 7.68 or later.\n",
                     kLibrary, ::dlerror());
    return api;
}

/// Loaded once, by whichever thread calls first (a function-local static is initialised
/// under a lock). If libcurl cannot be loaded, every constructor below fails (a null handle,
/// CURLE_FAILED_INIT), which the core already reports as "could not start a request", and
/// every function taking a handle is never reached with one.
const Api& api() {
    static const Api loaded = load();
    return loaded;
}

}  // namespace

// The parentheses keep curl.h's type-checking macros (typecheck-gcc.h) off these names.
extern "C" {

CURLcode(curl_global_init)(long flags) {
    return api().loaded ? api().global_init(flags) : CURLE_FAILED_INIT;
}

void(curl_free)(void* p) {
    if (api().loaded) api().free(p);
}

curl_slist*(curl_slist_append)(curl_slist* list, const char* data) {
    return api().loaded ? api().slist_append(list, data) : nullptr;
}

void(curl_slist_free_all)(curl_slist* list) {
    if (api().loaded) api().slist_free_all(list);
}

const char*(curl_easy_strerror)(CURLcode code) {
    return api().loaded ? api().easy_strerror(code) : "libcurl could not be loaded";
}

CURL*(curl_easy_init)() {
    return api().loaded ? api().easy_init() : nullptr;
}

CURLcode(curl_easy_setopt)(CURL* curl, CURLoption option, ...) {
    if (!api().loaded) return CURLE_FAILED_INIT;
    // Every option takes exactly one argument, whose type its number tells (the ranges of
    // curl.h's CURLOPTTYPE_*): the forwarder passes it on with that type.
    va_list args;
    va_start(args, option);
    CURLcode result = CURLE_BAD_FUNCTION_ARGUMENT;
    const int number = static_cast<int>(option);
    if (number < CURLOPTTYPE_OBJECTPOINT) {
        result = api().easy_setopt(curl, option, va_arg(args, long));
    } else if (number < CURLOPTTYPE_FUNCTIONPOINT) {
        result = api().easy_setopt(curl, option, va_arg(args, void*));
    } else if (number < CURLOPTTYPE_OFF_T) {
        using AnyFunction = void (*)();
        result = api().easy_setopt(curl, option, va_arg(args, AnyFunction));
    } else if (number < CURLOPTTYPE_BLOB) {
        result = api().easy_setopt(curl, option, va_arg(args, curl_off_t));
    } else {
        result = api().easy_setopt(curl, option, va_arg(args, void*));  // struct curl_blob*
    }
    va_end(args);
    return result;
}

CURLcode(curl_easy_perform)(CURL* curl) {
    return api().loaded ? api().easy_perform(curl) : CURLE_FAILED_INIT;
}

void(curl_easy_cleanup)(CURL* curl) {
    if (api().loaded) api().easy_cleanup(curl);
}

void(curl_easy_reset)(CURL* curl) {
    if (api().loaded) api().easy_reset(curl);
}

CURLcode(curl_easy_getinfo)(CURL* curl, CURLINFO info, ...) {
    if (!api().loaded) return CURLE_FAILED_INIT;
    // Every CURLINFO takes one pointer to where the answer goes.
    va_list args;
    va_start(args, info);
    void* out = va_arg(args, void*);
    va_end(args);
    return api().easy_getinfo(curl, info, out);
}

CURLcode(curl_easy_recv)(CURL* curl, void* buffer, size_t length, size_t* n) {
    return api().loaded ? api().easy_recv(curl, buffer, length, n) : CURLE_FAILED_INIT;
}

CURLcode(curl_easy_send)(CURL* curl, const void* buffer, size_t length, size_t* n) {
    return api().loaded ? api().easy_send(curl, buffer, length, n) : CURLE_FAILED_INIT;
}

CURLM*(curl_multi_init)() {
    return api().loaded ? api().multi_init() : nullptr;
}

CURLMcode(curl_multi_add_handle)(CURLM* multi, CURL* curl) {
    return api().loaded ? api().multi_add_handle(multi, curl) : CURLM_BAD_HANDLE;
}

CURLMcode(curl_multi_remove_handle)(CURLM* multi, CURL* curl) {
    return api().loaded ? api().multi_remove_handle(multi, curl) : CURLM_BAD_HANDLE;
}

CURLMcode(curl_multi_poll)(CURLM* multi, curl_waitfd extra_fds[], unsigned int extra_nfds,
                           int timeout_ms, int* numfds) {
    return api().loaded ? api().multi_poll(multi, extra_fds, extra_nfds, timeout_ms, numfds)
                        : CURLM_BAD_HANDLE;
}

CURLMcode(curl_multi_wakeup)(CURLM* multi) {
    return api().loaded ? api().multi_wakeup(multi) : CURLM_BAD_HANDLE;
}

CURLMcode(curl_multi_perform)(CURLM* multi, int* running) {
    return api().loaded ? api().multi_perform(multi, running) : CURLM_BAD_HANDLE;
}

CURLMcode(curl_multi_cleanup)(CURLM* multi) {
    return api().loaded ? api().multi_cleanup(multi) : CURLM_BAD_HANDLE;
}

CURLMsg*(curl_multi_info_read)(CURLM* multi, int* queued) {
    return api().loaded ? api().multi_info_read(multi, queued) : nullptr;
}

CURLU*(curl_url)() {
    return api().loaded ? api().url() : nullptr;
}

void(curl_url_cleanup)(CURLU* url) {
    if (api().loaded) api().url_cleanup(url);
}

CURLUcode(curl_url_get)(CURLU* url, CURLUPart what, char** part, unsigned int flags) {
    return api().loaded ? api().url_get(url, what, part, flags) : CURLUE_BAD_HANDLE;
}

CURLUcode(curl_url_set)(CURLU* url, CURLUPart what, const char* part, unsigned int flags) {
    return api().loaded ? api().url_set(url, what, part, flags) : CURLUE_BAD_HANDLE;
}

}  // extern "C"
