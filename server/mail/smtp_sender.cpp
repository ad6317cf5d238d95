#include "server/mail/smtp_sender.h"

#include <curl/curl.h>
#include <fmt/format.h>

#include <cstring>
#include <memory>
#include <mutex>

namespace helpline::server::mail {
namespace {

struct Upload {
    const std::string& text;
    std::size_t offset = 0;
};

std::size_t read_upload(char* buffer, std::size_t size, std::size_t count, void* user) {
    auto* up = static_cast<Upload*>(user);
    const std::size_t n = std::min(size * count, up->text.size() - up->offset);
    std::memcpy(buffer, up->text.data() + up->offset, n);
    up->offset += n;
    return n;
}

/// Keeps the relay's last refusal ("550 5.1.1 No such user"): what admins are shown.
int keep_reply(CURL*, curl_infotype type, char* data, std::size_t size, void* user) {
    if (type != CURLINFO_HEADER_IN) return 0;
    std::string line(data, size);
    while (!line.empty() && (line.back() == '\n' || line.back() == '\r')) line.pop_back();
    // A refusal (4xx, 5xx); the "221 Bye" of the QUIT that follows it is not the news.
    if (!line.empty() && (line[0] == '4' || line[0] == '5')) *static_cast<std::string*>(user) = line.substr(0, 200);
    return 0;
}

int progress(void* user, curl_off_t, curl_off_t, curl_off_t, curl_off_t) {
    const auto* cancel = static_cast<const std::atomic<bool>*>(user);
    return cancel != nullptr && cancel->load() ? 1 : 0;  // non-zero aborts the transfer
}

}  // namespace

SmtpSender::SmtpSender(MailSettings settings, const std::atomic<bool>* cancel)
    : settings_(std::move(settings)), cancel_(cancel) {
    static std::once_flag once;
    std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

SendOutcome SmtpSender::send(const std::string& to, const std::string& message) {
    std::unique_ptr<CURL, decltype(&curl_easy_cleanup)> curl(curl_easy_init(), curl_easy_cleanup);
    if (!curl) return {SendOutcome::Kind::temporary, 0, "libcurl could not start a transfer"};
    CURL* h = curl.get();
    Upload upload{message};
    const std::string from = "<" + settings_.from + ">";
    curl_slist* rcpt = curl_slist_append(nullptr, ("<" + to + ">").c_str());
    std::unique_ptr<curl_slist, decltype(&curl_slist_free_all)> rcpt_guard(rcpt, curl_slist_free_all);
    char error[CURL_ERROR_SIZE] = {};
    curl_easy_setopt(h, CURLOPT_URL, settings_.smtp_url.c_str());
    curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "smtp,smtps");
    // STARTTLS (or smtps) and a verified certificate. On loopback a relay on the same host is
    // reached without the network: STARTTLS when it offers it (still verified), else plain.
    curl_easy_setopt(h, CURLOPT_USE_SSL, settings_.require_tls ? CURLUSESSL_ALL : CURLUSESSL_TRY);
    if (!settings_.ca_file.empty()) {
        // Only these CAs (a relay with a private CA): they replace the system's.
        curl_easy_setopt(h, CURLOPT_CAINFO, settings_.ca_file.c_str());
        curl_easy_setopt(h, CURLOPT_CAPATH, nullptr);
    }
    if (!settings_.username.empty()) {
        curl_easy_setopt(h, CURLOPT_USERNAME, settings_.username.c_str());
        curl_easy_setopt(h, CURLOPT_PASSWORD, settings_.password.c_str());
    }
    curl_easy_setopt(h, CURLOPT_MAIL_FROM, from.c_str());
    curl_easy_setopt(h, CURLOPT_MAIL_RCPT, rcpt);
    curl_easy_setopt(h, CURLOPT_UPLOAD, 1L);
    curl_easy_setopt(h, CURLOPT_READFUNCTION, read_upload);
    curl_easy_setopt(h, CURLOPT_READDATA, &upload);
    curl_easy_setopt(h, CURLOPT_INFILESIZE_LARGE, static_cast<curl_off_t>(message.size()));
    curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT, 15L);
    curl_easy_setopt(h, CURLOPT_TIMEOUT, 120L);
    curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(h, CURLOPT_ERRORBUFFER, error);
    curl_easy_setopt(h, CURLOPT_NOPROGRESS, 0L);
    curl_easy_setopt(h, CURLOPT_XFERINFOFUNCTION, progress);
    curl_easy_setopt(h, CURLOPT_XFERINFODATA, cancel_);
    std::string reply;
    curl_easy_setopt(h, CURLOPT_DEBUGFUNCTION, keep_reply);
    curl_easy_setopt(h, CURLOPT_DEBUGDATA, &reply);
    curl_easy_setopt(h, CURLOPT_VERBOSE, 1L);  // only to hear the replies: the debug function prints nothing
    const CURLcode rc = curl_easy_perform(h);
    long code = 0;
    curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &code);
    if (rc == CURLE_OK) return {SendOutcome::Kind::sent, code, {}};
    const std::string what = error[0] != '\0' ? std::string(error) : std::string(curl_easy_strerror(rc));
    const std::string text = code > 0 && !reply.empty()
                                 ? fmt::format("the relay {} answered \"{}\" ({})", settings_.host, reply, what)
                                 : fmt::format("{} (relay {})", what, settings_.host);
    // A 5xx reply refuses this message for good (no such mailbox, policy). Refused
    // credentials are the relay's configuration, not the message's: tried again, and the
    // admin sees the error (GET /api/v1/email) until the credentials are fixed.
    if (code >= 500 && code < 600 && rc != CURLE_LOGIN_DENIED) return {SendOutcome::Kind::permanent, code, text};
    return {SendOutcome::Kind::temporary, code, text};
}

}  // namespace helpline::server::mail
