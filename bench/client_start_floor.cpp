// The second baseline of bench/client_start: the minimal wx window of client_start_minimal
// plus what every Helpline client must load and do before it is useful — libcurl (with
// Debian's dependencies) and libcrypto, one Ed25519 verification (the stamp check) and one
// HTTP request to the team server. Helpline's own cost is what it takes over this floor;
// what the floor takes over the minimal window is the price of the libraries themselves.
//
// usage: client_start_floor URL
#include <curl/curl.h>
#include <openssl/evp.h>
#include <wx/app.h>
#include <wx/frame.h>
#include <wx/stattext.h>

#include <array>
#include <chrono>
#include <iostream>
#include <thread>

namespace {

/// One Ed25519 verification through EVP, as the stamp check does (the result is not used:
/// the point is loading and initialising libcrypto's provider the same way).
void verify_once() {
    std::array<unsigned char, 32> key{};
    key[0] = 1;
    EVP_PKEY* pkey = EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, nullptr, key.data(), key.size());
    EVP_MD_CTX* ctx = EVP_MD_CTX_new();
    std::array<unsigned char, 64> signature{};
    const unsigned char message[] = "floor";
    if (pkey != nullptr && ctx != nullptr &&
        EVP_DigestVerifyInit(ctx, nullptr, nullptr, nullptr, pkey) == 1)
        (void)EVP_DigestVerify(ctx, signature.data(), signature.size(), message, sizeof message);
    EVP_MD_CTX_free(ctx);
    EVP_PKEY_free(pkey);
}

size_t discard(char* /*data*/, size_t size, size_t count, void* /*user*/) { return size * count; }

class FloorApp : public wxApp {
  public:
    bool OnInit() override {
        if (argc < 2) {
            std::cerr << "usage: client_start_floor URL\n";
            return false;
        }
        verify_once();
        auto* frame = new wxFrame(nullptr, wxID_ANY, "Floor");
        new wxStaticText(frame, wxID_ANY, "Hello");
        frame->Show();
        frame->Update();
        const auto ns = std::chrono::duration_cast<std::chrono::nanoseconds>(
                            std::chrono::steady_clock::now().time_since_epoch())
                            .count();
        std::cout << "shown main " << ns << std::endl;
        // The network on a thread of its own, as the client's device link does.
        network_ = std::thread([url = std::string(argv[1].utf8_str())] {
            curl_global_init(CURL_GLOBAL_DEFAULT);
            CURL* curl = curl_easy_init();
            curl_easy_setopt(curl, CURLOPT_URL, url.c_str());
            curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, discard);
            curl_easy_setopt(curl, CURLOPT_TIMEOUT, 5L);
            (void)curl_easy_perform(curl);
            curl_easy_cleanup(curl);
        });
        return true;
    }
    int OnExit() override {
        if (network_.joinable()) network_.join();
        return wxApp::OnExit();
    }

  private:
    std::thread network_;
};

}  // namespace

wxIMPLEMENT_APP(FloorApp);
