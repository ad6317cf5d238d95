#pragma once
// libcurl as the customer's client uses it (client/core/api_client.cpp): one easy handle
// per target, so that its connection is kept alive between requests, small JSON requests
// for the set-up, and PUTs of a body from memory with `Expect: 100-continue`, timed from
// the call to the answer's last byte.

#include <curl/curl.h>

#include <cstddef>
#include <string>
#include <vector>

namespace helpline::bench {

struct CurlAnswer {
    long status = 0;
    std::string body;
    double seconds = 0;  ///< from the call to the whole answer
};

class CurlClient {
  public:
    /// `base_url`: "http://127.0.0.1:PORT" or "https://127.0.0.1:PORT"; `ca_file`: the
    /// certificate to trust for https (the server's self-signed one), "" for http.
    CurlClient(std::string base_url, std::string ca_file = {});
    ~CurlClient();
    CurlClient(const CurlClient&) = delete;
    CurlClient& operator=(const CurlClient&) = delete;

    /// A request with a JSON body ("" for none). Throws when libcurl fails (not on a status).
    CurlAnswer send(const std::string& method, const std::string& path,
                    const std::vector<std::string>& headers, const std::string& json = {});
    /// PUT of `size` bytes at `data` (Content-Length, `Expect: 100-continue`, as the client's
    /// uploads). Throws when libcurl fails.
    CurlAnswer put(const std::string& path, const std::vector<std::string>& headers,
                   const char* data, std::size_t size);

  private:
    CurlAnswer perform(const std::string& path, const std::vector<std::string>& headers);

    std::string base_url_;
    std::string ca_file_;
    CURL* easy_;
};

}  // namespace helpline::bench
