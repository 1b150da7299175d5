package dev.pando.client;

import java.net.http.WebSocket;
import java.util.concurrent.CompletionStage;
import java.util.function.BiConsumer;
import java.util.function.Consumer;

/**
 * Reassembles a session's text frames and hands each whole one on, asking for the next only
 * then (one frame at a time is the client's back-pressure). java.net.http calls it sequentially,
 * on one reader thread at a time.
 */
final class FrameReader implements WebSocket.Listener {
    private final Consumer<WebSocket> onOpen;
    private final Consumer<String> onFrame;
    private final BiConsumer<Integer, String> onClose;
    private final Consumer<Throwable> onError;
    private final StringBuilder partial = new StringBuilder();

    /**
     * @param onClose told the close code and reason when the node closed the socket
     * @param onError told the cause when the connection broke
     */
    FrameReader(Consumer<WebSocket> onOpen, Consumer<String> onFrame, BiConsumer<Integer, String> onClose, Consumer<Throwable> onError) {
        this.onOpen = onOpen;
        this.onFrame = onFrame;
        this.onClose = onClose;
        this.onError = onError;
    }

    @Override
    public void onOpen(WebSocket webSocket) {
        onOpen.accept(webSocket);
        webSocket.request(1);
    }

    @Override
    public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
        if (!last) {
            partial.append(data);
        } else if (partial.length() > 0) {
            partial.append(data);
            String text = partial.toString();
            partial.setLength(0);
            onFrame.accept(text);
        } else {
            onFrame.accept(data.toString());
        }
        webSocket.request(1);
        return null; // the listener contract: null means the data may be reused at once
    }

    @Override
    public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
        onClose.accept(statusCode, reason);
        return null; // close as soon as the node's close frame is answered
    }

    @Override
    public void onError(WebSocket webSocket, Throwable error) {
        onError.accept(error);
    }
}
