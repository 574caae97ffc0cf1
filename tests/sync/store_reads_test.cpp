// Which connection the store server reads a pull's page on: the writer when
// the request is alone, a reader once the store is unlocked when another
// request waits for it (docs/ARCHITECTURE.md, "The store server's connections").
#include <doctest/doctest.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <future>
#include <thread>

#include "sync_fixture.hpp"

using namespace forecourt;
using namespace forecourt::testing;
using nlohmann::json;

namespace {

// A first pull of up to 100 changes, as tablet t.
sync::Request first_pull(Tablet& t) {
    return sync::Request{"POST", "/v1/sync", need(t.client().state()).token,
                         R"({"protocol":1,"pull":{"cursor":0,"limit":100}})"};
}

// Whether a 200 answer's page has a change of the record `id`.
bool page_has(const sync::Reply& reply, const std::string& id) {
    const auto page = json::parse(reply.response.body)["pull"]["changes"];
    return std::any_of(page.begin(), page.end(), [&](const json& c) { return c["id"] == id; });
}

}  // namespace

TEST_CASE("store service: with another request waiting, a pull's page is read on a reader "
          "while that push is applied") {
    TwoTablets s;
    auto& b = s.b;
    const auto customer_id = b.register_prospect("王伟", "13800138000");
    auto pushed = need(b.client().prepare());  // the new customer and its first grade-history entry
    REQUIRE(pushed.pushed == 2);

    // Tablet a's pull has committed its writes and still holds the store when
    // b's push arrives. a's page is then read on a reader, which waits for b's
    // push to be applied: were the page read with the store locked, b's push
    // would wait for it, and a's wait would run out.
    auto& service = *s.server.service;
    std::atomic<int> pulls{0}, reader_reads{0};
    std::promise<void> applied;
    auto applied_future = applied.get_future();
    bool b_waited = false, applied_meanwhile = false;
    sync::Reply push_reply;
    std::thread pusher;
    service.set_after_writes([&] {
        if (pulls.fetch_add(1) != 0) return;  // only a's
        pusher = std::thread([&] {
            push_reply = service.handle(pushed.request);
            applied.set_value();
        });
        const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
        while (service.arriving() == 0 && std::chrono::steady_clock::now() < deadline)
            std::this_thread::sleep_for(std::chrono::milliseconds(1));
        b_waited = service.arriving() > 0;
    });
    service.set_before_reader_read([&] {
        if (reader_reads.fetch_add(1) != 0) return;
        const auto status = applied_future.wait_for(std::chrono::seconds(10));
        applied_meanwhile = status == std::future_status::ready;
    });
    const auto pulled = service.handle(first_pull(s.a));
    if (pusher.joinable()) pusher.join();

    CHECK(b_waited);
    CHECK(reader_reads == 1);
    CHECK(applied_meanwhile);
    REQUIRE(push_reply.response.status == 200);
    CHECK(json::parse(push_reply.response.body)["push"]["acked_seq"] == pushed.last_seq);
    REQUIRE(pulled.response.status == 200);
    // The page was read after b's push was committed, and shows it.
    CHECK(page_has(pulled, customer_id));
}

TEST_CASE("store service: a pull alone reads its page on the writer, and sees what was "
          "committed before it") {
    TwoTablets s;
    const auto customer_id = s.b.register_prospect("王伟", "13800138000");
    need(s.b.sync(s.transport));

    std::atomic<int> reader_reads{0};
    s.server.service->set_before_reader_read([&] { reader_reads.fetch_add(1); });
    const auto pulled = s.server.service->handle(first_pull(s.a));

    CHECK(reader_reads == 0);
    REQUIRE(pulled.response.status == 200);
    CHECK(page_has(pulled, customer_id));
}
