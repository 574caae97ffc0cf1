// A push batch sent on a second connection before the answer to the batch
// ahead of it: push.follows keeps the store applying batches in the tablet's
// order, and the tablet sends again what the store refused as out of order.
#include <doctest/doctest.h>

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <set>

#include "sync_fixture.hpp"

using namespace forecourt;
using namespace forecourt::testing;

namespace {

// A network that delivers a tablet's pipelined batches in the order it sent
// them: a request naming push.follows reaches the store only once the store
// has answered the batch it follows (or after 5 s, and is then refused).
class InOrder {
  public:
    void wait_for(std::int64_t follows) {
        std::unique_lock lock(mutex_);
        answered_.wait_for(lock, std::chrono::seconds(5), [&] { return acked_ >= follows; });
    }
    void answered(const sync::Response& response) {
        if (response.status != 200) return;
        const auto body = nlohmann::json::parse(response.body);
        const auto push = body.find("push");
        if (push == body.end()) return;
        const auto acked = push->value("acked_seq", std::int64_t{0});
        std::lock_guard lock(mutex_);
        acked_ = std::max(acked_, acked);
        answered_.notify_all();
    }

  private:
    std::mutex mutex_;
    std::condition_variable answered_;
    std::int64_t acked_ = 0;
};

// Requests straight to the store's handler, from whichever thread sends: the
// two lanes of one tablet. Each lane remembers its requests' push.follows and
// its answers' statuses; a hook may hold a request before the store sees it.
class Lane : public sync::Transport {
  public:
    Lane(StoreFixture& server, Lane* second) : server_(&server), second_(second) {}
    Result<sync::Response> send(const sync::Request& request) override {
        const auto body = nlohmann::json::parse(request.body);
        const auto push = body.find("push");
        const auto follow = push != body.end() ? push->value("follows", std::int64_t{0}) : -1;
        int number = 0;
        {
            std::lock_guard lock(mutex_);
            follows.push_back(follow);
            number = static_cast<int>(follows.size());
        }
        if (in_order && follow > 0) in_order->wait_for(follow);
        if (before_store) before_store(number);
        auto reply = server_->service->handle(request);
        {
            std::lock_guard lock(mutex_);
            statuses.push_back(reply.response.status);
        }
        if (in_order) in_order->answered(reply.response);
        if (on_answered) on_answered(number);
        return reply.response;
    }
    bool sends_in_background() const override { return true; }
    sync::Transport* second_lane() override { return second_; }

    std::vector<std::int64_t> follows;  // 0: none; -1: nothing pushed
    std::vector<int> statuses;
    std::function<void(int)> before_store, on_answered;  // with the request's number on this lane
    InOrder* in_order = nullptr;  // none: the store sees requests as the threads reach it

  private:
    std::mutex mutex_;
    StoreFixture* server_;
    Lane* second_;
};

// An enrolled tablet pushing three changes a batch over two lanes, up to date.
struct TwoLanes {
    TwoLanes() {
        t.enrol(server, li);
        InProcessTransport setup{server};
        need(t.sync(setup));
        for (int i = 0; i < 8; ++i)
            t.register_prospect("客户" + std::to_string(i), "138001380" + std::to_string(10 + i));
    }
    std::vector<std::int64_t> waiting() { return waiting_seqs(t); }
    std::vector<std::int64_t> logged() { return logged_seqs(server, t); }
    sync::ClientOptions batches_of_three() {
        sync::ClientOptions options;
        options.batch_size = 3;
        return options;
    }

    TempDir dir;
    StoreFixture server{dir.path()};
    std::string li = server.add_consultant("李娜");
    Tablet t{dir.path(), "t", kStart, storage::Synchronous::full, batches_of_three()};
    Lane second{server, nullptr};
    Lane first{server, &second};
};

// The tablet's first batch of outbox changes (up to 500), typed.
std::vector<sync::Change> outbox_changes(Tablet& t) {
    const auto prepared = need(sync::SyncClient(t.book()).prepare());
    return need(sync::decode_sync_request(prepared.request.body, sync::Limits{})).push;
}

std::int64_t acked_seq(StoreFixture& server, Tablet& t) {
    return need(server.store->devices().find(need(t.client().state()).device_id))->acked_seq;
}

}  // namespace

TEST_CASE("codec: push.follows survives a round trip; negative or not an integer is refused") {
    sync::SyncRequest request;
    request.follows = 41;
    request.push.push_back(sync::Change{42,
                                        "customers",
                                        "0193a1c0-0000-7000-8000-000000000001",
                                        Hlc{1},
                                        {sync::FieldChange{"name", "王伟", std::nullopt}}});
    const auto body = sync::encode(request);
    CHECK(body.find(R"("push":{"follows":41,"changes":[)") != std::string::npos);
    const auto back = need(sync::decode_sync_request(body, sync::Limits{}));
    CHECK(back.follows == std::optional<std::int64_t>{41});
    CHECK(back.push.size() == 1);

    auto with_follows = [&](const std::string& value) {
        auto text = body;
        text.replace(text.find("41"), 2, value);
        return sync::decode_sync_request(text, sync::Limits{});
    };
    CHECK(need(with_follows("0")).follows == std::optional<std::int64_t>{0});
    CHECK(with_follows("-1").error().code == ErrorCode::invalid_argument);
    CHECK(with_follows("-1").error().message.find("push.follows") != std::string::npos);
    CHECK(with_follows("\"41\"").error().code == ErrorCode::protocol);
    CHECK(with_follows("4.5").error().code == ErrorCode::protocol);
}

TEST_CASE(
    "store service: a batch that follows one not yet applied is refused with 409 and changes "
    "nothing") {
    TwoLanes p;
    const auto changes = outbox_changes(p.t);
    REQUIRE(changes.size() >= 6);
    sync::SyncRequest ahead, behind;
    ahead.push.assign(changes.begin(), changes.begin() + 3);
    behind.push.assign(changes.begin() + 3, changes.begin() + 6);
    behind.follows = ahead.push.back().seq;
    const auto token = need(p.t.client().state()).token;
    const auto acked_before = acked_seq(p.server, p.t);

    auto refused = p.server.call("POST", "/v1/sync", sync::encode(behind), token);
    CHECK(refused.response.status == 409);
    const auto error = sync::decode_error(refused.response.status, refused.response.body);
    CHECK(error.code == ErrorCode::conflict);
    CHECK(error.message.find("follows change " + std::to_string(behind.follows.value())) !=
          std::string::npos);
    CHECK(acked_seq(p.server, p.t) == acked_before);
    CHECK(p.logged().empty());

    CHECK(p.server.call("POST", "/v1/sync", sync::encode(ahead), token).response.status == 200);
    const auto applied = p.server.call("POST", "/v1/sync", sync::encode(behind), token);
    REQUIRE(applied.response.status == 200);
    CHECK(need(sync::decode_sync_response(applied.response.body, sync::Limits{})).push.acked_seq ==
          changes[5].seq);
    std::vector<std::int64_t> seqs;
    for (std::size_t i = 0; i < 6; ++i) seqs.push_back(changes[i].seq);
    CHECK(p.logged() == seqs);
}

TEST_CASE(
    "pipelined push: batches go out on two lanes, each once and in order, and the tablet pulls no "
    "echo") {
    TwoLanes p;
    InOrder network;
    p.first.in_order = p.second.in_order = &network;
    const auto seqs = p.waiting();
    REQUIRE(seqs.size() >= 16);
    const auto summary = need(p.t.sync(p.first));
    CHECK(summary.pushed == static_cast<int>(seqs.size()));
    // No batch read twice, and no page left behind to pull again at the end.
    CHECK(summary.rounds == static_cast<int>((seqs.size() + 2) / 3));
    CHECK(summary.pulled == 0);
    CHECK(p.waiting().empty());
    CHECK(p.logged() == seqs);
    // The second lane carried batches, each naming the batch before it.
    REQUIRE_FALSE(p.second.follows.empty());
    for (const auto follows : p.second.follows) {
        CHECK(follows > 0);
        CHECK(std::find(seqs.begin(), seqs.end(), follows) != seqs.end());
    }
    CHECK(std::count(p.first.statuses.begin(), p.first.statuses.end(), 200) ==
          static_cast<std::ptrdiff_t>(p.first.statuses.size()));
    CHECK(std::count(p.second.statuses.begin(), p.second.statuses.end(), 200) ==
          static_cast<std::ptrdiff_t>(p.second.statuses.size()));
    CHECK(records_of(p.t.book().records(), p.t.book().db(), p.li) ==
          records_of(p.server.store->records(), p.server.store->db(), p.li));
}

TEST_CASE(
    "pipelined push: a batch that overtakes the one ahead is refused, sent again, and applied "
    "once") {
    TwoLanes p;
    const auto seqs = p.waiting();
    // The first lane holds its second request (a batch the second lane's first
    // request follows) until the store has answered that one, or for 5 s.
    std::mutex mutex;
    std::condition_variable answered;
    bool overtaken = false;
    p.second.on_answered = [&](int number) {
        if (number != 1) return;
        std::lock_guard lock(mutex);
        overtaken = true;
        answered.notify_all();
    };
    p.first.before_store = [&](int number) {
        if (number != 2) return;
        std::unique_lock lock(mutex);
        answered.wait_for(lock, std::chrono::seconds(5), [&] { return overtaken; });
    };
    const auto summary = need(p.t.sync(p.first));
    REQUIRE(overtaken);
    REQUIRE(p.second.statuses.size() >= 1);
    CHECK(p.second.statuses[0] == 409);
    CHECK(summary.pushed == static_cast<int>(seqs.size()));
    CHECK(summary.pulled == 0);
    CHECK(p.waiting().empty());
    CHECK(p.logged() == seqs);  // nothing doubled, nothing skipped, in order
    CHECK_FALSE(need(p.t.client().state()).last_error.has_value());
    CHECK(records_of(p.t.book().records(), p.t.book().db(), p.li) ==
          records_of(p.server.store->records(), p.server.store->db(), p.li));
}
