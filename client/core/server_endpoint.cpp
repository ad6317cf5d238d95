#include "client/core/server_endpoint.h"

#include <fmt/format.h>

#include <mutex>

namespace helpline::client {

ServerEndpoint ServerEndpoint::from_profile(const Profile& profile) {
    ServerEndpoint e;
    e.base_url = profile.server.url;
    while (!e.base_url.empty() && e.base_url.back() == '/') e.base_url.pop_back();
    e.pins = profile.server.pins;
    e.ca_pem = profile.server.ca;
    e.user_agent = "helpline-client/" + profile.id;
    return e;
}

void ensure_curl() {
    static std::once_flag once;
    std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

void apply_endpoint(CURL* curl, const ServerEndpoint& endpoint, std::chrono::milliseconds connect_timeout) {
    curl_easy_setopt(curl, CURLOPT_SSL_VERIFYPEER, 1L);
    curl_easy_setopt(curl, CURLOPT_SSL_VERIFYHOST, 2L);
    curl_easy_setopt(curl, CURLOPT_SSLVERSION, CURL_SSLVERSION_TLSv1_2);
    if (!endpoint.ca_pem.empty()) {
        // Only these certificates: the profile's own CA replaces the system's, it does not
        // add to them. Verification itself stays on.
        curl_blob blob{const_cast<char*>(endpoint.ca_pem.data()), endpoint.ca_pem.size(),
                       CURL_BLOB_COPY};
        curl_easy_setopt(curl, CURLOPT_CAINFO_BLOB, &blob);
        curl_easy_setopt(curl, CURLOPT_CAPATH, nullptr);
    } else {
#ifdef _WIN32
        // The system's certificates on Windows are its certificate store (where a company
        // deploys its own CA), read into OpenSSL by libcurl (docs/client.md "TLS on Windows").
        curl_easy_setopt(curl, CURLOPT_SSL_OPTIONS, static_cast<long>(CURLSSLOPT_NATIVE_CA));
#endif
    }
    if (!endpoint.pins.empty()) {
        std::string joined;
        for (const auto& pin : endpoint.pins) joined += (joined.empty() ? "" : ";") + pin;
        curl_easy_setopt(curl, CURLOPT_PINNEDPUBLICKEY, joined.c_str());  // curl copies the string
    }
    curl_easy_setopt(curl, CURLOPT_USERAGENT, endpoint.user_agent.c_str());
    curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(connect_timeout.count()));
    curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(curl, CURLOPT_FOLLOWLOCATION, 0L);  // the API never redirects; do not follow elsewhere
}

Error transport_error(CURLcode code, const char* error_buffer, const ServerEndpoint& endpoint) {
    const std::string detail = error_buffer != nullptr && *error_buffer != '\0' ? error_buffer : curl_easy_strerror(code);
    switch (code) {
        case CURLE_COULDNT_RESOLVE_HOST:
        case CURLE_COULDNT_RESOLVE_PROXY:
        case CURLE_COULDNT_CONNECT:
        case CURLE_SEND_ERROR:
        case CURLE_RECV_ERROR:
        case CURLE_GOT_NOTHING:
            return make_error(net_error::kUnreachable,
                              fmt::format("The support server {} cannot be reached ({}).", endpoint.base_url, detail));
        case CURLE_OPERATION_TIMEDOUT:
            return make_error(net_error::kTimeout,
                              fmt::format("The support server {} did not answer in time ({}).", endpoint.base_url, detail));
        case CURLE_SSL_CONNECT_ERROR:
        case CURLE_PEER_FAILED_VERIFICATION:
        case CURLE_SSL_PINNEDPUBKEYNOTMATCH:
        case CURLE_SSL_CACERT_BADFILE:
        case CURLE_SSL_CERTPROBLEM:
        case CURLE_SSL_CIPHER:
        case CURLE_SSL_ISSUER_ERROR:
            return make_error(net_error::kTls,
                              fmt::format("The connection to {} is not secure: its certificate could not be verified "
                                          "({}). The client refuses to continue; tell your support team.",
                                          endpoint.base_url, detail));
        default:
            return make_error(net_error::kOther,
                              fmt::format("Talking to the support server {} failed ({}).", endpoint.base_url, detail));
    }
}

}  // namespace helpline::client
