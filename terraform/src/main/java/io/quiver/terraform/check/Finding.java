package io.quiver.terraform.check;

import java.nio.file.Path;

/**
 * One problem a check found.
 *
 * @param check the check's name ({@code parse}, {@code references}, {@code pinning}, ...)
 * @param file the file (or folder) it is in
 * @param message what is wrong, in words that say how to fix it
 */
public record Finding(String check, Path file, String message) {

	@Override
	public String toString() {
		return "[" + this.check + "] " + this.file + ": " + this.message;
	}

}
