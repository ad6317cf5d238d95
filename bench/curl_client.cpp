#include "bench/curl_client.h"

#include <algorithm>
#include <chrono>
#include <cstring>
#include <memory>
#include <stdexcept>

namespace helpline::bench {
namespace {

struct Source {
    const char* data = nullptr;
    std::size_t left = 0;
};

extern "C" std::size_t on_read(char* out, std::size_t size, std::size_t count, void* user) {
    auto* source = static_cast<Source*>(user);
    const std::size_t n = std::min(size * count, source->left);
    std::memcpy(out, source->data, n);
    source->data += n;
    source->left -= n;
    return n;
}

extern "C" std::size_t on_write(char* data, std::size_t size, std::size_t count, void* user) {
    static_cast<std::string*>(user)->append(data, size * count);
    return size * count;
}

using HeaderList = std::unique_ptr<curl_slist, void (*)(curl_slist*)>;

HeaderList header_list(const std::vector<std::string>& headers) {
    curl_slist* list = nullptr;
    for (const auto& h : headers) list = curl_slist_append(list, h.c_str());
    return {list, &curl_slist_free_all};
}

}  // namespace

CurlClient::CurlClient(std::string base_url, std::string ca_file)
    : base_url_(std::move(base_url)), ca_file_(std::move(ca_file)), easy_(curl_easy_init()) {
    if (easy_ == nullptr) throw std::runtime_error("curl_easy_init failed");
}

CurlClient::~CurlClient() {
    curl_easy_cleanup(easy_);
}

CurlAnswer CurlClient::send(const std::string& method, const std::string& path,
                            const std::vector<std::string>& headers, const std::string& json) {
    curl_easy_reset(easy_);  // options only: the live connection stays in the handle
    curl_easy_setopt(easy_, CURLOPT_CUSTOMREQUEST, method.c_str());
    if (!json.empty() || method == "POST") {
        curl_easy_setopt(easy_, CURLOPT_POSTFIELDS, json.c_str());
        curl_easy_setopt(easy_, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(json.size()));
    }
    std::vector<std::string> all = {"Expect:", "Content-Type: application/json"};
    all.insert(all.end(), headers.begin(), headers.end());
    return perform(path, all);
}

CurlAnswer CurlClient::put(const std::string& path, const std::vector<std::string>& headers,
                           const char* data, std::size_t size) {
    curl_easy_reset(easy_);
    Source source{data, size};
    curl_easy_setopt(easy_, CURLOPT_UPLOAD, 1L);
    curl_easy_setopt(easy_, CURLOPT_INFILESIZE_LARGE, static_cast<curl_off_t>(size));
    curl_easy_setopt(easy_, CURLOPT_READFUNCTION, on_read);
    curl_easy_setopt(easy_, CURLOPT_READDATA, &source);
    std::vector<std::string> all = {"Expect: 100-continue"};
    all.insert(all.end(), headers.begin(), headers.end());
    auto answer = perform(path, all);
    if (source.left != 0 && answer.status / 100 == 2)
        throw std::runtime_error("libcurl sent " + std::to_string(size - source.left) + " of " +
                                 std::to_string(size) + " bytes, yet " + path + " answered " +
                                 std::to_string(answer.status));
    return answer;
}

CurlAnswer CurlClient::perform(const std::string& path, const std::vector<std::string>& headers) {
    const std::string url = base_url_ + path;
    const auto list = header_list(headers);
    CurlAnswer answer;
    curl_easy_setopt(easy_, CURLOPT_URL, url.c_str());
    curl_easy_setopt(easy_, CURLOPT_HTTPHEADER, list.get());
    curl_easy_setopt(easy_, CURLOPT_WRITEFUNCTION, on_write);
    curl_easy_setopt(easy_, CURLOPT_WRITEDATA, &answer.body);
    curl_easy_setopt(easy_, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(easy_, CURLOPT_TIMEOUT, 120L);  // every call is bounded
    if (!ca_file_.empty()) curl_easy_setopt(easy_, CURLOPT_CAINFO, ca_file_.c_str());
    const auto start = std::chrono::steady_clock::now();
    const CURLcode rc = curl_easy_perform(easy_);
    answer.seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    if (rc != CURLE_OK) throw std::runtime_error(url + ": " + curl_easy_strerror(rc));
    curl_easy_getinfo(easy_, CURLINFO_RESPONSE_CODE, &answer.status);
    return answer;
}

}  // namespace helpline::bench
