"""Measure this machine's costs for gilsim's `machine { }` block.

Run by `gilsim calibrate`, which embeds this file; it needs only the
standard library (gevent, greenlet and eventlet are measured when they can
be imported).

    python3 measure.py [--budget SECONDS]    all measurements, JSON on stdout
    python3 measure.py --one NAME SECONDS     one measurement (used internally)
    python3 measure.py --plan SECONDS         each one's share of a budget, measuring nothing

Every measurement runs in a fresh interpreter of its own, so that a crash,
an import or the memory of one cannot disturb another. The result is one
JSON object on stdout:

    {"gilsim_calibrate": 2, "python": {...}, "cpus": N, "budget_s": B,
     "measurements": [{"name": ..., "value": ..., "unit": ..., "n": ...,
                       "spread_pct": ..., "how": ...}
                      | {"name": ..., "error": "..."}
                      | {"name": ..., "skipped": "gevent not installed"}]}

Progress goes to stderr. Times are medians over repetitions, each
repetition the mean of a loop; "spread_pct" is (max - min) / median of the
repetitions, in percent.

The budget is shared by weight. A measurement that cannot be made in less
than its MIN_SECONDS (the contention runs: spinners, convoys) is skipped
when its share is smaller, with a "skipped" naming the budget it needs; the
cheaper ones keep their place in a short budget. load_average and
spinner_share come first and cost a fixed fraction of a second: they tell
whether the machine was busy while it was measured.
"""

import json
import os
import platform
import subprocess
import sys
import time

FORMAT = 2

# name: (weight in the time budget, what it measures)
MEASUREMENTS = [
    ("load_average", 0, "the 1-minute load average before measuring (os.getloadavg)"),
    ("spinner_share", 0, "CPU time / wall time of one forked spinner alone, 3 runs of 0.1 s"),
    ("wakeup_latency", 3, "pipe ping-pong between two processes on different CPUs, per hop"),
    ("context_switch", 3, "pipe ping-pong between two processes on the same CPU, per hop"),
    ("thread_hop", 3, "pipe ping-pong between two threads of one process on the same CPU, per hop"),
    ("sleep_200us", 2, "time.sleep(0.0002), wall time per call"),
    ("thread_start", 2, "threading.Thread(target=noop).start(), per thread"),
    ("thread_bootstrap", 1, "a started thread's bootstrap until it sets start()'s Event (stamped), per thread"),
    ("thread_bootstrap_tail", 1, "a started thread's bootstrap from the Event to its target's first line (stamped), per thread"),
    ("process_start", 2, "multiprocessing Process(target=noop) start + join"),
    ("effective_cores", 3, "countdown in 1 process vs 2 processes at once: 2 * t1 / t2"),
    ("asyncio_switch", 1, "await asyncio.sleep(0) between two tasks, per call"),
    ("generator_switch", 1, "g.send(x) into a running generator, per send"),
    ("trampoline_step", 1, "round-robin deque trampoline, 1000 generators x 100 yields, per step"),
    ("gevent_switch", 1, "gevent.sleep(0) between two greenlets, per call"),
    ("greenlet_switch", 1, "raw greenlet ping-pong, per switch"),
    ("eventlet_switch", 1, "eventlet.sleep(0) between two greenthreads, per call"),
    ("memory_process", 1, "RSS of a fresh interpreter"),
    ("memory_thread", 2, "RSS per threading.Thread parked on an Event (200 -> 1000)"),
    ("memory_coroutine", 1, "RSS per asyncio task parked on an Event (1000 -> 10000)"),
    ("memory_gen", 1, "RSS per suspended generator (1000 -> 10000)"),
    ("memory_greenlet", 1, "RSS per gevent greenlet parked on an Event (1000 -> 10000)"),
    ("memory_raw_greenlet", 1, "RSS per raw greenlet parked after one switch (1000 -> 10000)"),
    ("memory_greenthread", 1, "RSS per eventlet greenthread parked on an Event (1000 -> 10000)"),
    ("memory_total", 0, "the machine's physical memory"),
    ("tick_turn", 2, "two spinners pinned to one CPU: the gaps in each one's run, per turn"),
    ("balance_idle", 2, "3 spinners, 2 on one CPU and 1 on another, which exits: delay until the idle CPU pulls one"),
    ("balance_busy", 3, "4 spinners, 3 on one CPU and 1 on another: delay until the 3 become 2"),
    ("convoy_1", 4, "ops/s of a time.sleep(200us) loop beside 1 CPU-bound thread, 0.5 s windows"),
    ("convoy_2", 4, "ops/s of a time.sleep(200us) loop beside 2 CPU-bound threads, 0.5 s windows"),
    ("convoy_3", 4, "ops/s of a time.sleep(200us) loop beside 3 CPU-bound threads, 0.5 s windows"),
    ("balance_flip", 5, "3 spinners on 2 CPUs: time between changes of the one running alone"),
]

# the least time a measurement needs: with a smaller share of the budget it
# is skipped (the contention runs need whole scheduler turns and windows)
MIN_SECONDS = {
    "tick_turn": 0.3,
    "balance_idle": 0.4,
    "balance_busy": 1.0,
    "convoy_1": 1.5,
    "convoy_2": 1.5,
    "convoy_3": 1.5,
    "balance_flip": 2.0,
}

# measurements that need a package beyond the standard library
NEEDS = {
    "gevent_switch": "gevent",
    "memory_greenlet": "gevent",
    "greenlet_switch": "greenlet",
    "memory_raw_greenlet": "greenlet",
    "eventlet_switch": "eventlet",
    "memory_greenthread": "eventlet",
}


class Skip(Exception):
    """The measurement cannot be made here; the message says why."""


def log(msg):
    sys.stderr.write(msg + "\n")
    sys.stderr.flush()


def median(xs):
    s = sorted(xs)
    n = len(s)
    return s[n // 2] if n % 2 else (s[n // 2 - 1] + s[n // 2]) / 2.0


def repeat(fn, seconds, reps=7):
    """Run fn(n) for growing n until one call takes about seconds / reps,
    then reps times; fn returns the time per operation. Returns the list of
    per-operation times."""
    target = max(seconds / reps, 0.01)
    n = 16
    while True:
        t = time.perf_counter()
        fn(n)
        dt = time.perf_counter() - t
        if dt >= target / 4 or n >= 1 << 26:
            break
        n *= 4
    n = max(1, int(n * target / max(dt, 1e-9)))
    return [fn(n) for _ in range(reps)]


def result(values, unit, scale=1.0, best=False):
    """The median of the repetitions, or with best=True the smallest: for
    loops of sub-microsecond operations the least disturbed repetition is
    the cost (a busy machine only ever adds to it)."""
    med = median(values)
    v = min(values) if best else med
    out = {"value": v * scale, "unit": unit, "n": len(values)}
    if best:
        out["how_note"] = "fastest of %d repetitions" % len(values)
    if med:
        out["spread_pct"] = round((max(values) - min(values)) / abs(med) * 100, 2)
    return out


# ------------------------------------------------------------- OS costs

def cpus():
    if hasattr(os, "sched_getaffinity"):
        return sorted(os.sched_getaffinity(0))
    return list(range(os.cpu_count() or 1))


def pin(cpu):
    if cpu is not None and hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {cpu})


def process_pingpong(cpu_a, cpu_b, seconds):
    """Per-hop time of a 1-byte ping-pong between a parent and a forked
    child pinned to cpu_a and cpu_b."""
    if not hasattr(os, "fork"):
        raise Skip("this platform has no fork()")
    r1, w1 = os.pipe()
    r2, w2 = os.pipe()
    pid = os.fork()
    if pid == 0:
        try:
            pin(cpu_b)
            while True:
                b = os.read(r1, 1)
                if not b or b == b"q":
                    break
                os.write(w2, b)
        finally:
            os._exit(0)
    try:
        pin(cpu_a)

        def hops(n):
            t = time.perf_counter()
            for _ in range(n):
                os.write(w1, b"x")
                os.read(r2, 1)
            return (time.perf_counter() - t) / (2 * n)

        hops(200)  # both sides running and pinned
        return repeat(hops, seconds)
    finally:
        os.write(w1, b"q")
        os.waitpid(pid, 0)
        for fd in (r1, w1, r2, w2):
            os.close(fd)


def m_wakeup_latency(seconds):
    cs = cpus()
    if len(cs) < 2 or not hasattr(os, "sched_setaffinity"):
        # one CPU, or no pinning: the ping-pong is the best wake-up figure
        vals = process_pingpong(None, None, seconds)
        out = result(vals, "ns", 1e9)
        out["how_note"] = "not pinned: fewer than 2 CPUs or no sched_setaffinity"
        return out
    return result(process_pingpong(cs[0], cs[-1], seconds), "ns", 1e9)


def m_context_switch(seconds):
    cs = cpus()
    if not hasattr(os, "sched_setaffinity"):
        vals = process_pingpong(None, None, seconds)
        out = result(vals, "ns", 1e9)
        out["how_note"] = "not pinned: no sched_setaffinity on this platform"
        return out
    return result(process_pingpong(cs[0], cs[0], seconds), "ns", 1e9)


def m_thread_hop(seconds):
    """Like context_switch, with two threads of one interpreter: each hop
    also hands the GIL over."""
    import threading
    cs = cpus()
    cpu = cs[0] if hasattr(os, "sched_setaffinity") else None
    pin(cpu)  # this thread; the echo thread pins itself
    r1, w1 = os.pipe()
    r2, w2 = os.pipe()

    def echo():
        pin(cpu)
        while True:
            b = os.read(r1, 1)
            if not b or b == b"q":
                return
            os.write(w2, b)

    th = threading.Thread(target=echo, daemon=True)
    th.start()

    def hops(n):
        t = time.perf_counter()
        for _ in range(n):
            os.write(w1, b"x")
            os.read(r2, 1)
        return (time.perf_counter() - t) / (2 * n)

    try:
        hops(200)
        out = result(repeat(hops, seconds), "ns", 1e9)
        if cpu is None:
            out["how_note"] = "not pinned: no sched_setaffinity on this platform"
        return out
    finally:
        os.write(w1, b"q")
        th.join()


def m_sleep_200us(seconds):
    def sleeps(n):
        t = time.perf_counter()
        for _ in range(n):
            time.sleep(0.0002)
        return (time.perf_counter() - t) / n

    sleeps(20)
    return result(repeat(sleeps, seconds), "ns", 1e9)


def m_thread_start(seconds):
    import threading

    def noop():
        pass

    def starts(n):
        total = 0.0
        for _ in range(n):
            th = threading.Thread(target=noop)
            t = time.perf_counter()
            th.start()
            total += time.perf_counter() - t
            th.join()
        return total / n

    starts(20)
    return result(repeat(starts, seconds), "ns", 1e9)


def bootstrap_stamps(part, seconds):
    """Start threads one after another, like m_thread_start, each a
    Thread whose _bootstrap, Event.set() and target stamp the time: part
    0 is the time from the bootstrap's entry (the GIL taken) to the set(),
    part 1 from the set() to the target's first line."""
    import threading

    if not hasattr(threading.Thread, "_bootstrap") or not hasattr(threading.Thread(), "_started"):
        raise Skip("this threading module has no Thread._bootstrap or _started")

    class Stamped(threading.Event):
        def set(self):
            self.at = time.perf_counter()
            super().set()

    class Boot(threading.Thread):
        def _bootstrap(self):
            self.at = time.perf_counter()
            super()._bootstrap()

    def starts(n):
        total = 0.0
        for _ in range(n):
            seen = []
            th = Boot(target=lambda: seen.append(time.perf_counter()))
            th._started = Stamped()
            th.start()
            th.join()
            total += (th._started.at - th.at) if part == 0 else (seen[0] - th._started.at)
        return total / n

    starts(20)
    return result(repeat(starts, seconds), "ns", 1e9)


def m_thread_bootstrap(seconds):
    return bootstrap_stamps(0, seconds)


def m_thread_bootstrap_tail(seconds):
    return bootstrap_stamps(1, seconds)


def _noop():
    pass


def m_process_start(seconds):
    import multiprocessing as mp
    ctx = mp.get_context()

    def starts(n):
        t = time.perf_counter()
        for _ in range(n):
            p = ctx.Process(target=_noop)
            p.start()
            p.join()
        return (time.perf_counter() - t) / n

    starts(2)
    out = result(repeat(starts, seconds), "ns", 1e9)
    out["how_note"] = "start method " + ctx.get_start_method()
    return out


def countdown(n):
    while n > 0:
        n -= 1


def m_effective_cores(seconds):
    if not hasattr(os, "fork"):
        raise Skip("this platform has no fork()")
    if len(cpus()) < 2:
        raise Skip("one CPU")
    for _ in range(16):  # let 3.11+ specialise the loop before timing it
        countdown(1000)
    t = time.perf_counter()
    countdown(1000000)
    per = (time.perf_counter() - t) / 1000000
    # each run about seconds / 12: 1 process, then 2 at once, 3 times
    n = max(100000, int(seconds / 12 / max(per, 1e-9)))

    def run(k):
        t = time.perf_counter()
        pids = []
        for _ in range(k):
            pid = os.fork()
            if pid == 0:
                try:
                    countdown(n)
                finally:
                    os._exit(0)
            pids.append(pid)
        for pid in pids:
            os.waitpid(pid, 0)
        return time.perf_counter() - t

    vals = []
    for _ in range(3):
        one = run(1)
        two = run(2)
        vals.append(2 * one / two)
    return result(vals, "cores")


# ----------------------------------------------- cooperative hand-offs

def m_asyncio_switch(seconds):
    import asyncio

    async def pair(n):
        async def worker():
            for _ in range(n):
                await asyncio.sleep(0)

        t = time.perf_counter()
        await asyncio.gather(worker(), worker())
        return (time.perf_counter() - t) / (2 * n)

    def calls(n):
        return asyncio.run(pair(n))

    calls(100)
    return result(repeat(calls, seconds), "ns", 1e9, best=True)


def m_generator_switch(seconds):
    def echo():
        x = None
        while True:
            x = yield x

    g = echo()
    next(g)
    send = g.send

    def sends(n):
        t = time.perf_counter()
        for i in range(n):
            send(i)
        return (time.perf_counter() - t) / n

    sends(1000)
    return result(repeat(sends, seconds), "ns", 1e9, best=True)


def m_trampoline_step(seconds):
    import collections

    def stepper(k):
        for _ in range(k):
            yield

    def run(_n):
        q = collections.deque(stepper(100) for _ in range(1000))
        popleft, append = q.popleft, q.append
        steps = 0
        t = time.perf_counter()
        while q:
            g = popleft()
            try:
                next(g)
            except StopIteration:
                continue
            steps += 1
            append(g)
        return (time.perf_counter() - t) / steps

    run(0)
    reps = max(3, min(25, int(seconds / 0.02)))
    return result([run(0) for _ in range(reps)], "ns", 1e9, best=True)


def need(module):
    try:
        return __import__(module)
    except ImportError:
        raise Skip(module + " not installed")


def m_gevent_switch(seconds):
    gevent = need("gevent")

    def calls(n):
        def worker():
            for _ in range(n):
                gevent.sleep(0)

        t = time.perf_counter()
        gevent.joinall([gevent.spawn(worker), gevent.spawn(worker)])
        return (time.perf_counter() - t) / (2 * n)

    calls(100)
    out = result(repeat(calls, seconds), "ns", 1e9, best=True)
    out["version"] = gevent.__version__
    return out


def m_greenlet_switch(seconds):
    greenlet = need("greenlet")

    def switches(n):
        def pong():
            while True:
                ping_g.switch()

        def ping():
            for _ in range(n):
                pong_g.switch()

        ping_g = greenlet.greenlet(ping)
        pong_g = greenlet.greenlet(pong)
        t = time.perf_counter()
        ping_g.switch()
        dt = time.perf_counter() - t
        pong_g.throw()  # GreenletExit: pong ends, control comes back here
        return dt / (2 * n)

    switches(100)
    out = result(repeat(switches, seconds), "ns", 1e9, best=True)
    out["version"] = getattr(greenlet, "__version__", "?")
    return out


def m_eventlet_switch(seconds):
    eventlet = need("eventlet")

    def calls(n):
        def worker():
            for _ in range(n):
                eventlet.sleep(0)

        t = time.perf_counter()
        a, b = eventlet.spawn(worker), eventlet.spawn(worker)
        a.wait()
        b.wait()
        return (time.perf_counter() - t) / (2 * n)

    calls(100)
    out = result(repeat(calls, seconds), "ns", 1e9, best=True)
    out["version"] = eventlet.__version__
    return out


# --------------------------------------------------------------- memory

def rss_bytes():
    """Resident set size of this process."""
    try:
        with open("/proc/self/status") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    import resource  # peak RSS: enough, since the probes only grow
    r = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return r if sys.platform == "darwin" else r * 1024


def settle():
    import gc
    gc.collect()
    time.sleep(0.05)


def slope(make, n1, n2):
    """RSS per unit between n1 and n2 units: make(k) adds k units and
    keeps them alive."""
    make(n1)
    settle()
    r1 = rss_bytes()
    make(n2 - n1)
    settle()
    r2 = rss_bytes()
    per = (r2 - r1) / float(n2 - n1)
    if per <= 0:
        raise RuntimeError("RSS did not grow (%d -> %d bytes)" % (r1, r2))
    return {"value": per, "unit": "bytes", "n": n2 - n1}


# reads this interpreter's RSS and imports nothing but what start-up did
RSS_PROBE = """
import sys
rss = None
try:
    with open('/proc/self/status') as f:
        for line in f:
            if line.startswith('VmRSS:'):
                rss = int(line.split()[1]) * 1024
except OSError:
    import resource
    r = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    rss = r if sys.platform == 'darwin' else r * 1024
print(rss)
"""


def m_memory_process(seconds):
    vals = []
    for _ in range(3):
        p = subprocess.run([sys.executable, "-c", RSS_PROBE], capture_output=True, text=True, timeout=60)
        if p.returncode != 0:
            err = p.stderr.strip().splitlines()
            raise RuntimeError(err[-1] if err else "exit %d" % p.returncode)
        vals.append(float(p.stdout.strip()))
    return result(vals, "bytes")


def m_memory_thread(seconds):
    import threading
    ev = threading.Event()
    keep = []

    def make(k):
        for _ in range(k):
            th = threading.Thread(target=ev.wait, daemon=True)
            th.start()
            keep.append(th)

    try:
        return slope(make, 200, 1000)
    finally:
        ev.set()
        for th in keep:
            th.join()


def m_memory_coroutine(seconds):
    import asyncio

    async def main():
        ev = asyncio.Event()
        keep = []
        started = [0]

        async def idle():
            started[0] += 1
            await ev.wait()

        async def make(k):
            want = started[0] + k
            for _ in range(k):
                keep.append(asyncio.ensure_future(idle()))
            while started[0] < want:
                await asyncio.sleep(0)

        await make(1000)
        settle()
        r1 = rss_bytes()
        await make(9000)
        settle()
        r2 = rss_bytes()
        ev.set()
        await asyncio.gather(*keep)
        return r1, r2

    r1, r2 = asyncio.run(main())
    if r2 <= r1:
        raise RuntimeError("RSS did not grow (%d -> %d bytes)" % (r1, r2))
    return {"value": (r2 - r1) / 9000.0, "unit": "bytes", "n": 9000}


def m_memory_gen(seconds):
    keep = []

    def gen():
        x = yield
        yield x

    def make(k):
        for _ in range(k):
            g = gen()
            next(g)
            keep.append(g)

    return slope(make, 1000, 10000)


def m_memory_greenlet(seconds):
    gevent = need("gevent")
    import gevent.event
    ev = gevent.event.Event()
    keep = []
    started = [0]

    def idle():
        started[0] += 1
        ev.wait()

    def make(k):
        want = started[0] + k
        keep.extend(gevent.spawn(idle) for _ in range(k))
        while started[0] < want:
            gevent.sleep(0)

    try:
        return slope(make, 1000, 10000)
    finally:
        ev.set()
        gevent.joinall(keep)


def m_memory_raw_greenlet(seconds):
    greenlet = need("greenlet")
    main = greenlet.getcurrent()
    keep = []

    def parked():
        main.switch()

    def make(k):
        for _ in range(k):
            g = greenlet.greenlet(parked)
            g.switch()
            keep.append(g)

    return slope(make, 1000, 10000)


def m_memory_greenthread(seconds):
    eventlet = need("eventlet")
    import eventlet.event
    ev = eventlet.event.Event()
    keep = []
    started = [0]

    def idle():
        started[0] += 1
        ev.wait()

    def make(k):
        want = started[0] + k
        keep.extend(eventlet.spawn(idle) for _ in range(k))
        while started[0] < want:
            eventlet.sleep(0)

    try:
        return slope(make, 1000, 10000)
    finally:
        ev.send(True)
        for g in keep:
            g.wait()


def m_memory_total(seconds):
    try:
        return {"value": float(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")), "unit": "bytes", "n": 1}
    except (ValueError, OSError, AttributeError):
        raise Skip("os.sysconf cannot tell the physical memory here")


# ---------------------------------------------------- machine load

def m_load_average(seconds):
    if not hasattr(os, "getloadavg"):
        raise Skip("os.getloadavg is not available here")
    try:
        one = os.getloadavg()[0]
    except OSError:
        raise Skip("the load average cannot be read here")
    return {"value": one, "unit": "tasks", "n": 1}


def spin_until(until):
    while time.perf_counter() < until:
        pass


def m_spinner_share(seconds):
    """A forked spinner alone: the share of a CPU it gets. On a quiet
    machine it is 1; less means other work took its CPU."""
    if not hasattr(os, "fork"):
        raise Skip("this platform has no fork()")
    vals = []
    for _ in range(3):
        r, w = os.pipe()
        pid = os.fork()
        if pid == 0:
            try:
                os.close(r)
                t, c = time.perf_counter(), time.process_time()
                spin_until(t + 0.1)
                share = (time.process_time() - c) / (time.perf_counter() - t)
                os.write(w, repr(share).encode())
            finally:
                os._exit(0)
        os.close(w)
        out = read_all(r)
        os.waitpid(pid, 0)
        vals.append(float(out))
    return result(vals, "cpu")


# ------------------------------------ scheduler turns and balancing

def read_all(fd):
    chunks = []
    while True:
        b = os.read(fd, 65536)
        if not b:
            break
        chunks.append(b)
    os.close(fd)
    return b"".join(chunks).decode()


def spawn(body):
    """Fork a child that runs body() and sends back its JSON result.
    Returns (pid, read end)."""
    r, w = os.pipe()
    pid = os.fork()
    if pid == 0:
        try:
            os.close(r)
            out = body()
            os.write(w, json.dumps(out).encode())
        finally:
            os._exit(0)
    os.close(w)
    return pid, r


def collect(children):
    outs = []
    for pid, r in children:
        outs.append(json.loads(read_all(r) or "null"))
        os.waitpid(pid, 0)
    return outs


def need_balancing():
    if not hasattr(os, "fork"):
        raise Skip("this platform has no fork()")
    if not hasattr(os, "sched_setaffinity"):
        raise Skip("no sched_setaffinity: cannot place spinners on CPUs")
    if len(cpus()) < 2:
        raise Skip("one CPU")
    try:
        this_cpu(os.open("/proc/self/stat", os.O_RDONLY))
    except (OSError, ValueError, IndexError):
        raise Skip("no /proc/self/stat to tell a process's CPU")


def this_cpu(fd):
    """The CPU this process runs on: /proc/self/stat's processor field."""
    b = os.pread(fd, 1024, 0)
    return int(b.rsplit(b")", 1)[1].split()[36])


def watch(until, every=0.0005):
    """Spin until `until`, noting the CPU every `every` seconds: the list
    of [time, cpu] at each change."""
    fd = os.open("/proc/self/stat", os.O_RDONLY)
    changes, last, nxt = [], -1, 0.0
    while True:
        t = time.perf_counter()
        if t >= until:
            break
        if t >= nxt:
            c = this_cpu(fd)
            if c != last:
                changes.append([t, c])
                last = c
            nxt = t + every
    os.close(fd)
    return changes


def cpu_at(changes, t):
    """A spinner's CPU at time t, from its changes (its latest before t)."""
    c = None
    for at, cpu in changes:
        if at > t:
            break
        c = cpu
    return c


def m_tick_turn(seconds):
    """Two spinners pinned to one CPU take turns: each one's run has a gap
    for every turn of the other. Per run, the median gap."""
    if not hasattr(os, "fork"):
        raise Skip("this platform has no fork()")
    if not hasattr(os, "sched_setaffinity"):
        raise Skip("no sched_setaffinity: cannot pin two spinners to one CPU")
    cpu = cpus()[0]
    reps = 3
    per = max(seconds / reps, 0.1)

    def spinner(start, until):
        def body():
            pin(cpu)
            spin_until(start)
            gaps, last = [], time.perf_counter()
            while last < until:
                t = time.perf_counter()
                if t - last > 0.0003:
                    gaps.append(t - last)
                last = t
            return gaps
        return body

    vals, n = [], 0
    for _ in range(reps):
        start = time.perf_counter() + 0.02
        gaps = []
        for g in collect([spawn(spinner(start, start + per)) for _ in range(2)]):
            gaps += g
        if len(gaps) >= 5:
            vals.append(median(gaps))
            n += len(gaps)
    if not vals:
        raise Skip("two spinners pinned to one CPU never took turns")
    out = result(vals, "ns", 1e9)
    out["how_note"] = "%d gaps" % n
    return out


def m_balance_idle(seconds):
    need_balancing()
    cs = cpus()
    a, b = cs[0], cs[1]
    allowed = set(cs)
    reps = max(3, min(9, int(seconds / 0.11)))
    vals, lost = [], 0
    for _ in range(reps):
        start = time.perf_counter() + 0.02
        exit_at = start + 0.02
        until = exit_at + 0.06

        def pair():
            pin(a)
            spin_until(start)
            os.sched_setaffinity(0, allowed)
            return watch(until)

        def lone():
            pin(b)
            spin_until(exit_at)
            return time.perf_counter()

        outs = collect([spawn(pair), spawn(pair), spawn(lone)])
        gone = outs[2]
        moved = [at for ch in outs[:2] for at, c in ch if c != a]
        if not moved or min(moved) < gone:
            lost += 1  # no pull in 60 ms, or a pull before the exit
            continue
        vals.append(min(moved) - gone)
    if len(vals) < 2:
        raise Skip("the idle CPU pulled no spinner within 60 ms in %d of %d runs" % (lost, reps))
    out = result(vals, "ns", 1e9)
    if lost:
        out["how_note"] = "%d of %d runs without a pull in 60 ms, left out" % (lost, reps)
    return out


def m_balance_busy(seconds):
    need_balancing()
    cs = cpus()
    a, b = cs[0], cs[1]
    allowed = set(cs)
    cap = 0.3
    vals, lost = [], 0
    deadline = time.perf_counter() + seconds
    runs = 0
    while runs < 3 or (time.perf_counter() + cap + 0.03 < deadline and runs < 9):
        runs += 1
        start = time.perf_counter() + 0.02
        until = start + cap

        def three():
            pin(a)
            spin_until(start)
            os.sched_setaffinity(0, allowed)
            return watch(until)

        def one():
            pin(b)
            spin_until(until)
            return None

        outs = collect([spawn(three) for _ in range(3)] + [spawn(one)])
        moved = [at for ch in outs[:3] for at, c in ch if c != a]
        if not moved:
            lost += 1
            continue
        vals.append(min(moved) - start)
    if len(vals) < 2:
        raise Skip("3 spinners on one CPU beside 1 on another were not spread within %g s in %d of %d runs" % (cap, lost, runs))
    out = result(vals, "ns", 1e9)
    if lost:
        out["how_note"] = "%d of %d runs not spread in %g s, left out" % (lost, runs, cap)
    return out


def m_balance_flip(seconds):
    need_balancing()
    start = time.perf_counter() + 0.03
    until = start + seconds
    outs = collect([spawn(lambda: watch(until, 0.001)) for _ in range(3)])
    # the spinner alone on its CPU, every millisecond; a change of it that
    # lasts 10 ms (two turns of the pair: a CPU is seen late while its
    # spinner waits) is a pull. The 3 start on whatever CPUs fork gave
    # them: skip 50 ms.
    lone, flips, t = None, [], start + 0.05
    cand, since = None, 0.0
    while t < until:
        where = [cpu_at(ch, t) for ch in outs]
        alone = [i for i, c in enumerate(where) if c is not None and where.count(c) == 1]
        now = alone[0] if len(alone) == 1 and len(set(where)) == 2 else None
        if now != cand:
            cand, since = now, t
        if cand is not None and cand != lone and t - since >= 0.01:
            if lone is not None:
                flips.append(since)
            lone = cand
        t += 0.001
    gaps = [y - x for x, y in zip(flips, flips[1:])]
    if len(gaps) < 3:
        raise Skip("only %d changes of pair in %.1f s, fewer than 4; a longer --budget gives more" % (len(flips), seconds))
    out = result(gaps, "ns", 1e9)
    out["how_note"] = "%d changes in %.1f s" % (len(flips), seconds)
    return out


# ------------------------------------------- the GIL among waiters

def m_convoy(k, seconds):
    """ops/s of a thread looping on time.sleep(200 us) for 0.5 s beside k
    CPU-bound threads (started first), at the default switch interval;
    one window per fresh set of threads."""
    import threading
    window = 0.5
    reps = max(3, min(7, int(seconds / (window + 0.05))))
    vals = []
    for _ in range(reps):
        stop = [False]

        def spin():
            x = 0
            while not stop[0]:
                x += 1

        ops = []

        def io():
            t0 = time.perf_counter()
            n = 0
            while True:
                time.sleep(0.0002)
                n += 1
                if time.perf_counter() - t0 >= window:
                    break
            ops.append(n / (time.perf_counter() - t0))

        workers = [threading.Thread(target=spin) for _ in range(k)]
        for w in workers:
            w.start()
        th = threading.Thread(target=io)
        th.start()
        th.join()
        stop[0] = True
        for w in workers:
            w.join()
        vals.append(ops[0])
    out = result(vals, "ops/s")
    out["switch_interval_s"] = sys.getswitchinterval()
    return out


def m_convoy_1(seconds):
    return m_convoy(1, seconds)


def m_convoy_2(seconds):
    return m_convoy(2, seconds)


def m_convoy_3(seconds):
    return m_convoy(3, seconds)


# ----------------------------------------------------------------- main

def one(name, seconds):
    """Run one measurement in this interpreter; print its JSON line."""
    fn = globals().get("m_" + name)
    out = {"name": name}
    if fn is None:
        out["error"] = "unknown measurement"
    else:
        try:
            out.update(fn(seconds))
        except Skip as e:
            out["skipped"] = str(e)
        except Exception as e:  # report it, do not crash the whole run
            out["error"] = "%s: %s" % (type(e).__name__, e)
    print(json.dumps(out))


def interpreter():
    info = {
        "version": platform.python_version(),
        "implementation": platform.python_implementation(),
        "platform": platform.platform(),
        "machine": platform.machine(),
        "executable": sys.executable,
    }
    gil = getattr(sys, "_is_gil_enabled", None)
    if gil is not None:
        info["gil_enabled"] = bool(gil())
    return info


def plan(budget):
    """The share of the budget of every measurement, in running order:
    a list of (name, how, seconds, why it is skipped or None)."""
    total = float(sum(w for _, w, _ in MEASUREMENTS))
    out = []
    for name, weight, how in MEASUREMENTS:
        seconds = budget * weight / total
        least = MIN_SECONDS.get(name)
        skip = None
        if least is not None and seconds < least:
            need = int(-(-least * total // weight))  # the budget that gives it least
            skip = "does not fit in a %gs budget: needs --budget %ds or more" % (budget, need)
        out.append((name, how, seconds, skip))
    return out


def main(argv):
    if len(argv) == 3 and argv[0] == "--one":
        one(argv[1], float(argv[2]))
        return 0
    if len(argv) == 2 and argv[0] == "--plan":
        for name, _, seconds, skip in plan(float(argv[1])):
            print(json.dumps({"name": name, "seconds": round(seconds, 3), "skipped": skip}))
        return 0
    budget = 30.0
    if len(argv) == 2 and argv[0] == "--budget":
        budget = float(argv[1])
    elif argv:
        sys.stderr.write("usage: measure.py [--budget SECONDS] | --one NAME SECONDS | --plan SECONDS\n")
        return 2
    if sys.version_info < (3, 7):
        sys.stderr.write("gilsim calibrate needs Python 3.7 or newer\n")
        return 2
    results = []
    here = os.path.abspath(__file__)
    for name, how, seconds, skip in plan(budget):
        if skip is not None:
            log("skipping %s: %s" % (name, skip))
            results.append({"name": name, "skipped": skip, "how": how})
            continue
        pkg = NEEDS.get(name)
        if pkg is not None:
            try:
                __import__(pkg)
            except ImportError:
                log("skipping %s: %s not installed" % (name, pkg))
                results.append({"name": name, "skipped": pkg + " not installed", "how": how})
                continue
        log("measuring %s (%s)" % (name, how))
        try:
            p = subprocess.run([sys.executable, here, "--one", name, repr(seconds)],
                               capture_output=True, text=True, timeout=max(120.0, 10 * seconds + 60))
            line = p.stdout.strip().splitlines()[-1] if p.stdout.strip() else ""
            r = json.loads(line) if line.startswith("{") else None
            if r is None:
                err = p.stderr.strip().splitlines()
                r = {"name": name, "error": "the measurement crashed (exit %d): %s" % (p.returncode, err[-1] if err else "no output")}
        except subprocess.TimeoutExpired:
            r = {"name": name, "error": "timed out"}
        r["how"] = how + (" (" + r.pop("how_note") + ")" if "how_note" in r else "")
        results.append(r)
    json.dump({"gilsim_calibrate": FORMAT, "python": interpreter(), "cpus": len(cpus()),
               "budget_s": budget, "measurements": results}, sys.stdout, indent=1)
    sys.stdout.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
