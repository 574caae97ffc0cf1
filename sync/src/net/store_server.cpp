// The store server's network front: owns the io_context, its threads, the TLS
// context and the listener, and runs the ordered graceful shutdown.
#include "forecourt/sync/net/store_server.hpp"

#include <atomic>
#include <exception>
#include <thread>
#include <vector>

#include "beast_types.hpp"
#include "http_conversion.hpp"
#include "listener.hpp"
#include "server_state.hpp"
#include "tls_context.hpp"

namespace forecourt::sync::net {

struct StoreServer::Impl {
    std::shared_ptr<ServerState> state;
    std::unique_ptr<asio::ssl::context> tls;  // before io so it outlives every stream
    asio::io_context io;
    std::shared_ptr<Listener> listener;
    std::vector<std::thread> threads;
    std::atomic<bool> stopped{false};

    Impl(std::shared_ptr<ServerState> server_state, std::unique_ptr<asio::ssl::context> context,
         int concurrency)
        : state(std::move(server_state)), tls(std::move(context)), io(concurrency) {}

    void run_thread();
    void stop();
};

namespace {

Status check_options(const StoreServerOptions& options) {
    auto invalid = [](std::string message) {
        return make_error(ErrorCode::invalid_argument, std::move(message), ErrorDomain::sync);
    };
    if (!options.handler) return invalid("the store server needs a request handler");
    if (options.threads == 0) return invalid("the store server needs at least one thread");
    if (options.max_connections == 0) return invalid("max_connections must be at least 1");
    if (options.events_path.empty() || options.events_path.front() != '/') {
        return invalid("events_path must start with '/'");
    }
    return ok_status();
}

}  // namespace

// A thread entry point: an exception escaping a handler is logged and the thread
// goes back to serving, so one bad request never takes the store offline.
void StoreServer::Impl::run_thread() {
    for (;;) {
        try {
            io.run();
            return;
        } catch (const std::exception& e) {
            state->log().write(LogEvent("thread_exception").error().detail(e.what()));
        } catch (...) {
            state->log().write(LogEvent("thread_exception").error());
        }
    }
}

Result<std::unique_ptr<StoreServer>> StoreServer::start(StoreServerOptions options) {
    FC_TRY(check_options(options));
    beast::error_code ec;
    auto address = asio::ip::make_address(options.address, ec);
    if (ec) {
        return make_error(ErrorCode::invalid_argument,
                          "not an IP address to listen on: '" + options.address + "'",
                          ErrorDomain::sync);
    }
    FC_ASSIGN(auto tls, make_server_tls_context(options.identity));
    const tcp::endpoint endpoint(address, options.port);
    const auto threads = options.threads;
    auto state = std::make_shared<ServerState>(std::move(options));
    auto impl = std::make_unique<Impl>(state, std::move(tls), static_cast<int>(threads));
    FC_ASSIGN(impl->listener, Listener::open(impl->io, *impl->tls, endpoint, state));
    impl->listener->start();
    for (std::size_t i = 0; i < threads; ++i) {
        impl->threads.emplace_back([raw = impl.get()] { raw->run_thread(); });
    }
    return std::unique_ptr<StoreServer>(new StoreServer(std::move(impl)));
}

StoreServer::StoreServer(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

StoreServer::~StoreServer() {
    stop();
}

std::uint16_t StoreServer::port() const {
    return impl_->listener->port();
}

std::size_t StoreServer::poke(std::string_view device_id, std::string_view text) {
    if (impl_->stopped.load()) return 0;
    return impl_->state->poke(device_id, text);
}

std::size_t StoreServer::open_connections() const {
    return impl_->state->open_connections();
}

void StoreServer::stop() {
    impl_->stop();
}

void StoreServer::Impl::stop() {
    if (stopped.exchange(true)) return;
    const auto grace = state->options().shutdown_grace;
    state->log().write(LogEvent("stopping"));
    listener->stop();
    state->begin_stop();
    const bool drained = state->wait_for_requests(grace);
    state->close_all();
    // Closing handshakes are bounded by the handshake timeout; give them that long.
    const bool closed = state->wait_until_closed(state->options().handshake_timeout);
    io.stop();
    for (auto& thread : threads) thread.join();
    threads.clear();
    LogEvent event("stopped");
    if (!drained) event.warn().detail("requests still running were cut");
    if (drained && !closed) event.warn().detail("connections that did not close were cut");
    state->log().write(event);
}

}  // namespace forecourt::sync::net
