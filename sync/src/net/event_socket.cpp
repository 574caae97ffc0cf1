// The tablet's events WebSocket: opened on the caller's thread, then read on a
// thread of its own that queues messages or hands them to a callback.
#include "forecourt/sync/net/event_socket.hpp"

#include <condition_variable>
#include <deque>
#include <mutex>
#include <thread>

#include "beast_types.hpp"
#include "client_connection.hpp"
#include "forecourt/sync/net/certificate.hpp"
#include "tls_context.hpp"

namespace forecourt::sync::net {

struct EventSocket::Impl {
    EventSocketOptions options;
    MessageCallback on_message;
    asio::io_context io;
    std::unique_ptr<asio::ssl::context> tls = make_client_tls_context();
    websocket::stream<TlsStream> ws{io, *tls};
    beast::flat_buffer buffer;
    std::thread reader;

    mutable std::mutex mutex;
    std::condition_variable arrived;
    std::deque<std::string> messages;
    bool open = false;

    Impl(EventSocketOptions socket_options, MessageCallback callback)
        : options(std::move(socket_options)), on_message(std::move(callback)) {}

    Status upgrade();
    void read_next();
    void on_read(beast::error_code ec, std::size_t bytes);
    void deliver(std::string text);
    void run();
    void mark_closed();
};

Status EventSocket::Impl::upgrade() {
    const ClientOptions& connection = options.connection;
    websocket::stream_base::timeout timeouts{};
    timeouts.handshake_timeout = connection.handshake_timeout;
    timeouts.idle_timeout = options.idle_timeout;
    timeouts.keep_alive_pings = true;
    beast::get_lowest_layer(ws).expires_never();
    ws.set_option(timeouts);
    ws.set_option(websocket::stream_base::decorator(
        [token = options.bearer_token, agent = connection.user_agent](websocket::request_type& r) {
            r.set(http::field::authorization, "Bearer " + token);
            r.set(http::field::user_agent, agent);
        }));
    websocket::response_type response;
    beast::error_code ec;
    ws.async_handshake(response, authority_of(connection), options.target,
                       [&](beast::error_code handshake_ec) { ec = handshake_ec; });
    run_to_completion(io);
    if (!ec) return ok_status();
    const unsigned status = response.result_int();
    if (status == 401) {
        return make_error(ErrorCode::unauthorized,
                          "the store server refused this device's token for events",
                          ErrorDomain::sync);
    }
    if (status != 0 && status != 101) {
        return make_error(
            ErrorCode::protocol,
            "the store server answered the events upgrade with HTTP " + std::to_string(status),
            ErrorDomain::sync);
    }
    return transport_error(ec, "opening the events socket", connection);
}

void EventSocket::Impl::read_next() {
    ws.async_read(buffer, [this](beast::error_code ec, std::size_t bytes) { on_read(ec, bytes); });
}

void EventSocket::Impl::on_read(beast::error_code ec, std::size_t) {
    if (ec) return mark_closed();
    std::string text = beast::buffers_to_string(buffer.data());
    buffer.consume(buffer.size());
    deliver(std::move(text));
    read_next();
}

void EventSocket::Impl::deliver(std::string text) {
    if (on_message) {
        on_message(text);
        return;
    }
    {
        std::lock_guard lock(mutex);
        messages.push_back(std::move(text));
    }
    arrived.notify_all();
}

void EventSocket::Impl::mark_closed() {
    {
        std::lock_guard lock(mutex);
        open = false;
    }
    arrived.notify_all();
}

// The reader thread's entry point: an exception from the callback closes the
// socket rather than the app.
void EventSocket::Impl::run() {
    try {
        run_to_completion(io);
    } catch (...) {
        beast::error_code ignored;
        beast::get_lowest_layer(ws).socket().close(ignored);
    }
    mark_closed();
}

Result<std::unique_ptr<EventSocket>> EventSocket::open(EventSocketOptions options,
                                                       MessageCallback on_message) {
    FC_ASSIGN(std::string pin, normalize_fingerprint(options.connection.pinned_fingerprint));
    auto impl = std::make_unique<Impl>(std::move(options), std::move(on_message));
    FC_TRY(connect_pinned(impl->io, impl->ws.next_layer(), impl->options.connection, pin));
    FC_TRY(impl->upgrade());
    impl->open = true;
    impl->read_next();
    Impl* raw = impl.get();
    impl->reader = std::thread([raw] { raw->run(); });
    return std::unique_ptr<EventSocket>(new EventSocket(std::move(impl)));
}

EventSocket::EventSocket(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

EventSocket::~EventSocket() {
    close();
}

std::optional<std::string> EventSocket::wait_message(std::chrono::milliseconds timeout) {
    std::unique_lock lock(impl_->mutex);
    impl_->arrived.wait_for(lock, timeout,
                            [&] { return !impl_->messages.empty() || !impl_->open; });
    if (impl_->messages.empty()) return std::nullopt;
    std::string text = std::move(impl_->messages.front());
    impl_->messages.pop_front();
    return text;
}

bool EventSocket::is_open() const {
    std::lock_guard lock(impl_->mutex);
    return impl_->open;
}

void EventSocket::close() {
    if (!impl_->reader.joinable()) return;
    // The close handshake is bounded by the handshake timeout; when it ends, the
    // pending read fails, the io_context runs out of work and the thread returns.
    asio::post(impl_->io, [impl = impl_.get()] {
        if (!impl->ws.is_open()) return;
        impl->ws.async_close(websocket::close_code::normal, [](beast::error_code) {});
    });
    impl_->reader.join();
}

}  // namespace forecourt::sync::net
