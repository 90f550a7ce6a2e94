package io.quiver.worker.bench;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * Puts a folder's files into the operating system's page cache, or takes them out, so
 * that the benchmark's cold adapter loads say which they measured: a load of files the
 * kernel still caches (an adapter downloaded a moment ago), or one that reads the disk.
 * Proactive reclaim on a host (DAMON's {@code pageout}, for one) evicts idle files
 * between runs, and left to chance the page cache would decide the figure.
 *
 * <p>
 * Dropping calls {@code posix_fadvise(POSIX_FADV_DONTNEED)} through the foreign-function
 * API, on Linux; elsewhere, or where the call fails, nothing is dropped and {@link #drop}
 * says so.
 */
final class PageCache {

	private static final int O_RDONLY = 0;

	private static final int POSIX_FADV_DONTNEED = 4;

	private static final Optional<Calls> CALLS = Calls.find();

	private PageCache() {
	}

	/** Reads every file below {@code dir} once, so that the page cache holds them. */
	static void read(Path dir) {
		byte[] buffer = new byte[1 << 20];
		for (Path file : files(dir)) {
			try (InputStream in = Files.newInputStream(file)) {
				while (in.read(buffer) >= 0) {
					// read through
				}
			}
			catch (IOException ex) {
				throw new UncheckedIOException(ex);
			}
		}
	}

	/**
	 * Asks the kernel to drop every file below {@code dir} from the page cache.
	 * @return whether it was asked for every file
	 */
	static boolean drop(Path dir) {
		if (CALLS.isEmpty()) {
			return false;
		}
		Calls calls = CALLS.get();
		try (Arena arena = Arena.ofConfined()) {
			for (Path file : files(dir)) {
				int fd = (int) calls.open().invokeExact(arena.allocateFrom(file.toString()), O_RDONLY);
				if (fd < 0) {
					return false;
				}
				try {
					if ((int) calls.fadvise().invokeExact(fd, 0L, 0L, POSIX_FADV_DONTNEED) != 0) {
						return false;
					}
				}
				finally {
					// a failed close leaves nothing to undo; invokeExact wants the int
					int ignored = (int) calls.close().invokeExact(fd);
				}
			}
			return true;
		}
		catch (Throwable ex) {
			return false;
		}
	}

	private static List<Path> files(Path dir) {
		try (Stream<Path> files = Files.walk(dir)) {
			return files.filter(Files::isRegularFile).toList();
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

	private record Calls(MethodHandle open, MethodHandle fadvise, MethodHandle close) {

		static Optional<Calls> find() {
			if (!System.getProperty("os.name", "").toLowerCase(java.util.Locale.ROOT).contains("linux")) {
				return Optional.empty();
			}
			try {
				Linker linker = Linker.nativeLinker();
				SymbolLookup libc = linker.defaultLookup();
				MethodHandle open = linker.downcallHandle(libc.find("open").orElseThrow(),
						FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.JAVA_INT),
						Linker.Option.firstVariadicArg(2));
				MethodHandle fadvise = linker.downcallHandle(libc.find("posix_fadvise").orElseThrow(),
						FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_LONG,
								ValueLayout.JAVA_LONG, ValueLayout.JAVA_INT));
				MethodHandle close = linker.downcallHandle(libc.find("close").orElseThrow(),
						FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT));
				return Optional.of(new Calls(open, fadvise, close));
			}
			catch (RuntimeException ex) {
				return Optional.empty();
			}
		}

	}

}
