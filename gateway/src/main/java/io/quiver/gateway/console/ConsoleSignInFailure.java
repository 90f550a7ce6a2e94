package io.quiver.gateway.console;

import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;

/**
 * Why a sign-in with an organisation's identity provider was refused: the reason the
 * audit trail records, and what the sign-in page tells the person.
 */
enum ConsoleSignInFailure {

	/** No such tenant, or it has no identity provider the console may use. */
	UNKNOWN_ORGANISATION("Single sign-on is not set up for that organisation. Check its name, or sign in with"
			+ " a username and password."),

	/** The callback belongs to no sign-in this browser started, or it came too late. */
	INVALID_STATE("That sign-in could not be matched to one started in this browser, or it took too long."
			+ " Please start again."),

	/** The provider sent the person back with an error (cancelled, consent refused). */
	IDP_REFUSED("Your organisation's sign-in did not complete. Please try again."),

	/** The provider could not be reached or answered something unusable. */
	IDP_UNAVAILABLE("Your organisation's sign-in service could not be reached. Please try again in a moment."),

	/** The provider's registration names a client secret this installation lacks. */
	IDP_MISCONFIGURED("Single sign-on for your organisation is not configured completely. Ask your tenant admin to"
			+ " check the identity provider settings."),

	/** The ID token failed verification. */
	INVALID_ID_TOKEN("Your organisation's answer could not be verified, so you are not signed in. Ask your tenant"
			+ " admin to check the identity provider settings."),

	/** The person is who they say, but no role of theirs grants anything here. */
	NO_ROLE("You signed in with your organisation, but your account has no role in this console. Ask a tenant"
			+ " admin to add you as a member, or to map one of your groups to a role.");

	private final String message;

	ConsoleSignInFailure(String message) {
		this.message = message;
	}

	/**
	 * @return what the person reads
	 */
	String message() {
		return this.message;
	}

	/**
	 * @return the reason recorded in the audit trail and carried in the sign-in page's
	 * address, e.g. {@code no_role}
	 */
	String reason() {
		return name().toLowerCase(Locale.ROOT);
	}

	static Optional<ConsoleSignInFailure> ofReason(String reason) {
		return Arrays.stream(values()).filter((failure) -> failure.reason().equals(reason)).findFirst();
	}

}
