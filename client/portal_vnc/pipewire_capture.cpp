#include "client/portal_vnc/pipewire_capture.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <glib.h>
#include <pipewire/pipewire.h>
#include <spa/param/video/format-utils.h>
#include <spa/pod/builder.h>
#include <spa/utils/result.h>
#include <unistd.h>


namespace helpline::portal_vnc {

namespace {

constexpr const char* kError = "capture.pipewire";

/// PipeWire's loop as a GLib source: dispatched when its fd is readable.
struct LoopSource {
    GSource base;
    pw_loop* loop;
};

gboolean dispatch_loop(GSource* source, GSourceFunc, gpointer) {
    auto* s = reinterpret_cast<LoopSource*>(source);
    if (pw_loop_iterate(s->loop, 0) < 0 && errno != EINTR) return G_SOURCE_REMOVE;
    return G_SOURCE_CONTINUE;
}

GSourceFuncs kLoopSourceFuncs = {nullptr, nullptr, dispatch_loop, nullptr, nullptr, nullptr};

std::optional<PixelOrder> pixel_order(std::uint32_t format) {
    switch (format) {
        case SPA_VIDEO_FORMAT_BGRx:
        case SPA_VIDEO_FORMAT_BGRA:
            return PixelOrder::bgrx;
        case SPA_VIDEO_FORMAT_RGBx:
        case SPA_VIDEO_FORMAT_RGBA:
            return PixelOrder::rgbx;
        default:
            return std::nullopt;
    }
}

}  // namespace

struct PipeWireCapture::State {
    CaptureCallbacks callbacks;
    int max_fps = 60;
    pw_loop* loop = nullptr;
    LoopSource* source = nullptr;
    pw_context* context = nullptr;
    pw_core* core = nullptr;
    pw_stream* stream = nullptr;
    spa_hook core_listener{};
    spa_hook stream_listener{};
    spa_video_info_raw format{};
    bool have_format = false;
    bool ended = false;
    /// Set when an older queued frame went back unread: the next one is compared whole,
    /// since its damage does not include what the skipped one changed. (The rate itself is
    /// capped by the producer, which was asked for at most max_fps; dropping frames here
    /// instead would lose the last picture of a burst, e.g. the pointer's final position.)
    bool skipped = false;

    void end(const std::string& why) {
        if (ended) return;
        ended = true;
        if (callbacks.on_end) callbacks.on_end(why);
    }

    void on_param_changed(std::uint32_t id, const spa_pod* param) {
        if (param == nullptr || id != SPA_PARAM_Format) return;
        std::uint32_t media_type = 0, media_subtype = 0;
        if (spa_format_parse(param, &media_type, &media_subtype) < 0 ||
            media_type != SPA_MEDIA_TYPE_video || media_subtype != SPA_MEDIA_SUBTYPE_raw)
            return;
        spa_video_info_raw info{};
        if (spa_format_video_raw_parse(param, &info) < 0 || !pixel_order(info.format)) {
            end("the desktop offered a picture format this program does not read");
            return;
        }
        format = info;
        have_format = true;

        // Shared memory only, mapped by PipeWire (PW_STREAM_FLAG_MAP_BUFFERS); the damage
        // and header metadata where the producer has them.
        const int stride = SPA_ROUND_UP_N(static_cast<int>(info.size.width) * 4, 4);
        std::uint8_t buffer[1024];
        spa_pod_builder b = SPA_POD_BUILDER_INIT(buffer, sizeof buffer);
        const spa_pod* params[3];
        params[0] = static_cast<const spa_pod*>(spa_pod_builder_add_object(
            &b, SPA_TYPE_OBJECT_ParamBuffers, SPA_PARAM_Buffers, SPA_PARAM_BUFFERS_buffers,
            SPA_POD_CHOICE_RANGE_Int(4, 2, 8), SPA_PARAM_BUFFERS_blocks, SPA_POD_Int(1),
            SPA_PARAM_BUFFERS_size, SPA_POD_Int(stride * static_cast<int>(info.size.height)),
            SPA_PARAM_BUFFERS_stride, SPA_POD_Int(stride), SPA_PARAM_BUFFERS_dataType,
            SPA_POD_CHOICE_FLAGS_Int((1 << SPA_DATA_MemPtr) | (1 << SPA_DATA_MemFd))));
        params[1] = static_cast<const spa_pod*>(spa_pod_builder_add_object(
            &b, SPA_TYPE_OBJECT_ParamMeta, SPA_PARAM_Meta, SPA_PARAM_META_type,
            SPA_POD_Id(SPA_META_Header), SPA_PARAM_META_size,
            SPA_POD_Int(sizeof(spa_meta_header))));
        params[2] = static_cast<const spa_pod*>(spa_pod_builder_add_object(
            &b, SPA_TYPE_OBJECT_ParamMeta, SPA_PARAM_Meta, SPA_PARAM_META_type,
            SPA_POD_Id(SPA_META_VideoDamage), SPA_PARAM_META_size,
            SPA_POD_CHOICE_RANGE_Int(sizeof(spa_meta_region) * 16, sizeof(spa_meta_region),
                                     sizeof(spa_meta_region) * 16)));
        pw_stream_update_params(stream, params, 3);
    }

    void on_process() {
        // Only the newest frame matters: older ones queued meanwhile go straight back.
        pw_buffer* newest = nullptr;
        while (pw_buffer* next = pw_stream_dequeue_buffer(stream)) {
            if (newest != nullptr) {
                pw_stream_queue_buffer(stream, newest);
                skipped = true;
            }
            newest = next;
        }
        if (newest == nullptr) return;
        deliver(*newest->buffer);
        pw_stream_queue_buffer(stream, newest);
    }

    void deliver(spa_buffer& buffer) {
        if (!have_format || buffer.n_datas < 1) return;
        const auto* header = static_cast<const spa_meta_header*>(
            spa_buffer_find_meta_data(&buffer, SPA_META_Header, sizeof(spa_meta_header)));
        if (header != nullptr && (header->flags & SPA_META_HEADER_FLAG_CORRUPTED) != 0) return;
        const spa_data& data = buffer.datas[0];
        // A buffer without pixels (e.g. only a cursor move in metadata) changes nothing.
        if (data.data == nullptr || data.chunk == nullptr || data.chunk->size == 0) return;

        Frame frame;
        frame.order = *pixel_order(format.format);
        frame.view.width = static_cast<int>(format.size.width);
        frame.view.height = static_cast<int>(format.size.height);
        frame.view.stride =
            data.chunk->stride > 0 ? data.chunk->stride : frame.view.width * 4;
        if (static_cast<std::uint64_t>(frame.view.stride) * frame.view.height >
            static_cast<std::uint64_t>(data.maxsize) - data.chunk->offset)
            return;  // smaller than it claims: never read past it
        frame.view.data = static_cast<const std::uint8_t*>(data.data) + data.chunk->offset;

        if (!skipped) {
            if (auto* meta = spa_buffer_find_meta(&buffer, SPA_META_VideoDamage)) {
                std::vector<Rect> damage;
                spa_meta_region* region;
                spa_meta_for_each(region, meta) {
                    if (!spa_meta_region_is_valid(region)) break;
                    damage.push_back(Rect{region->region.position.x, region->region.position.y,
                                          static_cast<int>(region->region.size.width),
                                          static_cast<int>(region->region.size.height)});
                }
                if (!damage.empty()) frame.damage = std::move(damage);
            }
        }
        skipped = false;
        if (callbacks.on_frame) callbacks.on_frame(frame);
    }

    void on_state_changed(pw_stream_state old_state, pw_stream_state state, const char* error) {
        if (state == PW_STREAM_STATE_ERROR)
            end(fmt::format("the screen stream failed: {}", error != nullptr ? error : "unknown"));
        else if (state == PW_STREAM_STATE_UNCONNECTED && old_state != PW_STREAM_STATE_CONNECTING)
            end("the desktop stopped the screen stream");
    }
};

namespace {

void param_changed_thunk(void* data, std::uint32_t id, const spa_pod* param) {
    static_cast<PipeWireCapture::State*>(data)->on_param_changed(id, param);
}
void process_thunk(void* data) { static_cast<PipeWireCapture::State*>(data)->on_process(); }
void state_changed_thunk(void* data, pw_stream_state old_state, pw_stream_state state,
                         const char* error) {
    static_cast<PipeWireCapture::State*>(data)->on_state_changed(old_state, state, error);
}
void core_error_thunk(void* data, std::uint32_t id, int, int res, const char* message) {
    if (id == PW_ID_CORE && res == -EPIPE)
        static_cast<PipeWireCapture::State*>(data)->end(
            fmt::format("the connection to PipeWire broke: {}", message != nullptr ? message : ""));
}

pw_stream_events stream_events() {
    pw_stream_events events{};
    events.version = PW_VERSION_STREAM_EVENTS;
    events.state_changed = state_changed_thunk;
    events.param_changed = param_changed_thunk;
    events.process = process_thunk;
    return events;
}

pw_core_events core_events() {
    pw_core_events events{};
    events.version = PW_VERSION_CORE_EVENTS;
    events.error = core_error_thunk;
    return events;
}

const pw_stream_events kStreamEvents = stream_events();
const pw_core_events kCoreEvents = core_events();

}  // namespace

PipeWireCapture::PipeWireCapture(std::unique_ptr<State> state) : state_(std::move(state)) {}

Result<std::unique_ptr<PipeWireCapture>> PipeWireCapture::start(int pipewire_fd,
                                                                std::uint32_t node_id, int max_fps,
                                                                CaptureCallbacks callbacks) {
    pw_init(nullptr, nullptr);
    auto state = std::make_unique<State>();
    state->callbacks = std::move(callbacks);
    state->max_fps = max_fps > 0 ? max_fps : 60;
    std::unique_ptr<PipeWireCapture> capture(new PipeWireCapture(std::move(state)));
    State& s = *capture->state_;

    s.loop = pw_loop_new(nullptr);
    if (s.loop == nullptr) return make_error(kError, "Could not create a PipeWire loop.");
    s.source = reinterpret_cast<LoopSource*>(g_source_new(&kLoopSourceFuncs, sizeof(LoopSource)));
    s.source->loop = s.loop;
    g_source_add_unix_fd(&s.source->base, pw_loop_get_fd(s.loop),
                         static_cast<GIOCondition>(G_IO_IN | G_IO_ERR));
    g_source_attach(&s.source->base, nullptr);
    pw_loop_enter(s.loop);

    s.context = pw_context_new(s.loop, nullptr, 0);
    if (s.context == nullptr) return make_error(kError, "Could not create a PipeWire context.");
    const int fd = ::fcntl(pipewire_fd, F_DUPFD_CLOEXEC, 3);
    s.core = fd >= 0 ? pw_context_connect_fd(s.context, fd, nullptr, 0) : nullptr;
    if (s.core == nullptr)
        return make_error(kError, "Could not connect to the PipeWire remote the desktop opened.");
    // PipeWire's method calls are C macros with C casts.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wold-style-cast"
    pw_core_add_listener(s.core, &s.core_listener, &kCoreEvents, &s);
#pragma GCC diagnostic pop

    s.stream = pw_stream_new(s.core, "helpline-portal-vnc",
                             pw_properties_new(PW_KEY_MEDIA_TYPE, "Video", PW_KEY_MEDIA_CATEGORY,
                                               "Capture", PW_KEY_MEDIA_ROLE, "Screen", nullptr));
    if (s.stream == nullptr) return make_error(kError, "Could not create a PipeWire stream.");
    pw_stream_add_listener(s.stream, &s.stream_listener, &kStreamEvents, &s);

    std::uint8_t buffer[1024];
    spa_pod_builder b = SPA_POD_BUILDER_INIT(buffer, sizeof buffer);
    spa_rectangle size_default{1280, 800}, size_min{1, 1}, size_max{16384, 16384};
    spa_fraction rate_none{0, 1};
    spa_fraction rate_max{static_cast<std::uint32_t>(s.max_fps), 1}, rate_min{0, 1};
    const spa_pod* params[1];
    params[0] = static_cast<const spa_pod*>(spa_pod_builder_add_object(
        &b, SPA_TYPE_OBJECT_Format, SPA_PARAM_EnumFormat, SPA_FORMAT_mediaType,
        SPA_POD_Id(SPA_MEDIA_TYPE_video), SPA_FORMAT_mediaSubtype,
        SPA_POD_Id(SPA_MEDIA_SUBTYPE_raw), SPA_FORMAT_VIDEO_format,
        SPA_POD_CHOICE_ENUM_Id(5, SPA_VIDEO_FORMAT_BGRx, SPA_VIDEO_FORMAT_BGRx,
                               SPA_VIDEO_FORMAT_BGRA, SPA_VIDEO_FORMAT_RGBx,
                               SPA_VIDEO_FORMAT_RGBA),
        SPA_FORMAT_VIDEO_size,
        SPA_POD_CHOICE_RANGE_Rectangle(&size_default, &size_min, &size_max),
        SPA_FORMAT_VIDEO_framerate, SPA_POD_Fraction(&rate_none), SPA_FORMAT_VIDEO_maxFramerate,
        SPA_POD_CHOICE_RANGE_Fraction(&rate_max, &rate_min, &rate_max)));
    const int connected = pw_stream_connect(
        s.stream, PW_DIRECTION_INPUT, node_id,
        static_cast<pw_stream_flags>(PW_STREAM_FLAG_AUTOCONNECT | PW_STREAM_FLAG_MAP_BUFFERS),
        params, 1);
    if (connected < 0)
        return make_error(kError, fmt::format("Could not connect to the screen stream {}: {}.",
                                              node_id, spa_strerror(connected)));
    return capture;
}

PipeWireCapture::~PipeWireCapture() {
    State& s = *state_;
    if (s.stream != nullptr) {
        spa_hook_remove(&s.stream_listener);
        pw_stream_disconnect(s.stream);
        pw_stream_destroy(s.stream);
    }
    if (s.core != nullptr) {
        spa_hook_remove(&s.core_listener);
        pw_core_disconnect(s.core);
    }
    if (s.context != nullptr) pw_context_destroy(s.context);
    if (s.source != nullptr) {
        g_source_destroy(&s.source->base);
        g_source_unref(&s.source->base);
    }
    if (s.loop != nullptr) {
        pw_loop_leave(s.loop);
        pw_loop_destroy(s.loop);
    }
}

}  // namespace helpline::portal_vnc
