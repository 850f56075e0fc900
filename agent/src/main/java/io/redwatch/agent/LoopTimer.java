package io.redwatch.agent;

import io.netty.channel.EventLoopGroup;
import io.netty.util.Timeout;
import io.netty.util.Timer;
import io.netty.util.TimerTask;
import java.util.Set;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Lettuce's timer (command timeouts, reconnect delays) on the shared event loop instead of a
 * HashedWheelTimer: that one is a thread of its own that wakes every 100 ms even when no command is
 * pending, which is memory and CPU an agent sampling every 10 s does not need to spend.
 */
final class LoopTimer implements Timer {
    private final EventLoopGroup loop;

    LoopTimer(EventLoopGroup loop) {
        this.loop = loop;
    }

    @Override
    public Timeout newTimeout(TimerTask task, long delay, TimeUnit unit) {
        return new LoopTimeout(this, task, delay, unit);
    }

    /** The loop belongs to the whole agent (SharedEventLoop), so there is nothing of the timer's own to stop. */
    @Override
    public Set<Timeout> stop() {
        return Set.of();
    }

    private static final class LoopTimeout implements Timeout, Runnable {
        private final LoopTimer timer;
        private final TimerTask task;
        private final ScheduledFuture<?> future;

        LoopTimeout(LoopTimer timer, TimerTask task, long delay, TimeUnit unit) {
            this.timer = timer;
            this.task = task;
            this.future = timer.loop.schedule(this, delay, unit);
        }

        @Override
        public void run() {
            try {
                task.run(this);
            } catch (Exception e) {
                // HashedWheelTimer logs and goes on too: one failing task must not kill the loop's others.
                Logger.getLogger(LoopTimer.class.getName()).log(Level.WARNING, "timer task failed", e);
            }
        }

        @Override
        public Timer timer() {
            return timer;
        }

        @Override
        public TimerTask task() {
            return task;
        }

        @Override
        public boolean isExpired() {
            return future.isDone() && !future.isCancelled();
        }

        @Override
        public boolean isCancelled() {
            return future.isCancelled();
        }

        @Override
        public boolean cancel() {
            return future.cancel(false);
        }
    }
}
