// The API client's file transfers against a loopback HTTP sink: an upload is a PUT with
// Content-Length (never chunked) whose bytes are the file's, read as they are sent (a
// 20 MiB file does not grow the client by 20 MiB); a refusal before the body costs no
// upload; a download lands whole in its file or not at all.

#include <sys/resource.h>

#include <catch2/catch.hpp>

#include "client/core/api_client.h"
#include "client/core/conversation.h"
#include "tests/client/conversation/http_sink.h"
#include "tests/support/fixtures.h"

namespace helpline::test {
namespace {

constexpr std::uint64_t kMiB = 1024 * 1024;

client::ApiClient api_for(const HttpSink& sink) {
    client::ServerEndpoint endpoint;
    endpoint.base_url = sink.url();
    client::ApiClient api(endpoint);
    api.set_token("device-token");
    return api;
}

SinkAnswer created(std::int64_t id) {
    SinkAnswer a;
    a.status = 201;
    a.body = nlohmann::json{{"id", id}}.dump();
    return a;
}

/// The peak resident size of this process so far, in bytes.
std::uint64_t peak_rss() {
    rusage usage{};
    ::getrusage(RUSAGE_SELF, &usage);
    return static_cast<std::uint64_t>(usage.ru_maxrss) * 1024;
}

std::size_t files_in(const fs::path& folder) {
    std::size_t n = 0;
    for (const auto& item : fs::directory_iterator(folder)) {
        (void)item;
        ++n;
    }
    return n;
}

}  // namespace

TEST_CASE("an upload is a PUT of the file's bytes with Content-Length, its name and type") {
    HttpSink sink([](const SinkRequest&) { return created(7); });
    TempDir dir;
    const auto file = dir / "screen shot.png";
    write_pattern_file(file.string(), 300'000);
    const auto api = api_for(sink);
    const client::UploadFile upload{"0b0c5a34-6f1c-4d0e-9b59-7e9e8b1a2c3d", file, "screen shot.png",
                                    300'000, "image/png"};
    auto reply = client::put_attachment(api, 1042, upload);
    REQUIRE(reply.ok());
    CHECK(reply->status == 201);
    CHECK(reply->json.at("id") == 7);

    const auto requests = sink.requests();
    REQUIRE(requests.size() == 1);
    const auto& r = requests[0];
    CHECK(r.method == "PUT");
    CHECK(r.target == "/api/v1/tickets/1042/attachments/0b0c5a34-6f1c-4d0e-9b59-7e9e8b1a2c3d");
    CHECK(r.header("content-length") == "300000");
    CHECK_FALSE(r.chunked);
    CHECK(r.header("content-type") == "image/png");
    CHECK(r.header("x-helpline-file-name") == "screen%20shot.png");
    CHECK(r.header("authorization") == "Bearer device-token");
    CHECK(r.body_bytes == 300'000);
    CHECK(r.body_sha256 == sha256_of_file(file.string()));
}

TEST_CASE("a 20 MiB upload is streamed from the file: the client does not hold it in memory") {
    HttpSink sink([](const SinkRequest&) { return created(8); });
    TempDir dir;
    const auto file = dir / "big.bin";
    write_pattern_file(file.string(), 20 * kMiB);
    const auto api = api_for(sink);
    const client::UploadFile upload{"1b0c5a34-6f1c-4d0e-9b59-7e9e8b1a2c3d", file, "big.bin",
                                    20 * kMiB, "application/octet-stream"};
    // A first small upload pays for what any transfer sets up once (libcurl, the sink's
    // thread and buffer); what the big one adds on top is its own.
    const auto small = dir / "small.bin";
    write_pattern_file(small.string(), 512 * 1024);
    REQUIRE(
        client::put_attachment(
            api, 1042, {"4b0c5a34-6f1c-4d0e-9b59-7e9e8b1a2c3d", small, "small.bin", 512 * 1024, ""})
            .ok());
    const auto before = peak_rss();
    auto reply = client::put_attachment(api, 1042, upload);
    const auto growth = peak_rss() - before;
    REQUIRE(reply.ok());
    CHECK(reply->status == 201);
    const auto r = sink.requests().at(1);
    CHECK(r.body_bytes == 20 * kMiB);
    CHECK(r.body_sha256 == sha256_of_pattern(20 * kMiB));
    INFO("peak RSS grew by " << growth << " bytes");
    CHECK(growth < 2 * kMiB);  // buffers of a few hundred KiB, not the file
}

TEST_CASE("an upload the server refuses before the body is answered without sending it") {
    HttpSink sink([](const SinkRequest&) {
        SinkAnswer a;
        a.status = 413;
        a.content_type = "application/problem+json";
        a.body = R"({"status":413,"detail":"The file exceeds the limit of 20971520 bytes."})";
        a.before_body = true;
        return a;
    });
    TempDir dir;
    const auto file = dir / "big.bin";
    write_pattern_file(file.string(), 3 * kMiB);
    const auto api = api_for(sink);
    auto reply = client::put_attachment(
        api, 1042, {"2b0c5a34-6f1c-4d0e-9b59-7e9e8b1a2c3d", file, "big.bin", 3 * kMiB, ""});
    REQUIRE(reply.ok());
    CHECK(reply->status == 413);
    CHECK(reply->detail == "The file exceeds the limit of 20971520 bytes.");
    const auto r = sink.requests().at(0);
    CHECK(r.header("expect") == "100-continue");
    CHECK_FALSE(r.continued);
    CHECK(r.header("content-type") == "application/octet-stream");
}

TEST_CASE("a file shorter than its announced size is not sent as if it were whole") {
    HttpSink sink([](const SinkRequest&) { return created(9); });
    TempDir dir;
    const auto file = dir / "shrunk.bin";
    write_pattern_file(file.string(), 1000);
    const auto api = api_for(sink);
    auto reply = client::put_attachment(
        api, 1042, {"3b0c5a34-6f1c-4d0e-9b59-7e9e8b1a2c3d", file, "shrunk.bin", 5000, ""});
    REQUIRE_FALSE(reply.ok());
    CHECK(reply.error().code == client::transfer_error::kFileChanged);
    CHECK_THAT(reply.error().message, Catch::Contains("became shorter"));
}

TEST_CASE("a download lands whole in its file, through a temporary file beside it") {
    HttpSink sink([](const SinkRequest&) {
        SinkAnswer a;
        a.content_type = "application/octet-stream";
        a.generated_bytes = 3 * kMiB + 5;
        return a;
    });
    TempDir dir;
    const auto target = dir / "photo.jpg";
    const auto api = api_for(sink);
    auto saved = client::download_attachment(api, 9, target);
    REQUIRE(saved.ok());
    CHECK(*saved == 3 * kMiB + 5);
    CHECK(sha256_of_file(target.string()) == sha256_of_pattern(3 * kMiB + 5));
    CHECK(files_in(dir.path()) == 1);  // no temporary file left
    const auto r = sink.requests().at(0);
    CHECK(r.method == "GET");
    CHECK(r.target == "/api/v1/attachments/9?download=1");
}

TEST_CASE("a download that is refused or too large leaves no file behind") {
    HttpSink sink([](const SinkRequest& r) {
        SinkAnswer a;
        if (r.target.find("/410") != std::string::npos ||
            r.target.find("attachments/10?") != std::string::npos) {
            a.status = 410;
            a.content_type = "application/problem+json";
            a.body =
                R"({"status":410,"code":"attachment_removed","detail":"The file was removed after 90 days."})";
        } else {
            a.content_type = "application/octet-stream";
            a.generated_bytes = 2 * kMiB;
        }
        return a;
    });
    TempDir dir;
    const auto api = api_for(sink);
    auto removed = client::download_attachment(api, 10, dir / "old.png");
    REQUIRE_FALSE(removed.ok());
    CHECK(removed.error().code == client::conversation_error::kRemoved);
    CHECK(removed.error().message == "The file was removed after 90 days.");
    CHECK(files_in(dir.path()) == 0);

    client::ApiDownload big;
    big.path = "/api/v1/attachments/11";
    big.target = dir / "big.bin";
    big.max_size = kMiB;
    auto too_large = api.download(big);
    REQUIRE_FALSE(too_large.ok());
    CHECK(too_large.error().code == client::transfer_error::kTooLarge);
    CHECK(files_in(dir.path()) == 0);
}

}  // namespace helpline::test
