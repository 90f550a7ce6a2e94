package io.quiver.terraform.hcl;

import java.util.List;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Reference extraction from hcl2json's expression strings: code inside {@code ${}}, not
 * literal text.
 */
class ExpressionsTests {

	@Test
	void whenTemplateHasLiteralTextThenOnlyInterpolationsAreCode() {
		assertThat(Expressions.traversals("arn:aws:s3:::some_bucket.name/${var.prefix}-x"))
			.containsExactly(List.of("var", "prefix"));
	}

	@Test
	void whenExpressionIndexesAResourceThenTheTraversalKeepsTypeAndName() {
		assertThat(Expressions.traversals("${aws_iam_role.cluster_autoscaler[0].arn}"))
			.containsExactly(List.of("aws_iam_role", "cluster_autoscaler", "arn"));
	}

	@Test
	void whenIndexIsComputedThenItIsScannedAlone() {
		assertThat(Expressions.traversals("${module.vpc[each.key].vpc_id}")).containsExactly(List.of("module", "vpc"),
				List.of("each", "key"));
	}

	@Test
	void whenStringLiteralsAreInsideAnExpressionThenTheyAreNotCode() {
		assertThat(Expressions.traversals("${replace(local.pem, \"not_a.reference\", \"\")}"))
			.containsExactly(List.of("local", "pem"));
	}

	@Test
	void whenNestedTemplateIsInsideAStringLiteralThenItsInterpolationIsCode() {
		assertThat(Expressions.traversals("${format(\"%s\", \"x-${var.name}\")}"))
			.containsExactly(List.of("var", "name"));
	}

	@Test
	void whenForExpressionBindsNamesThenTheyAreReported() {
		String template = "${{ for node_group, spec in var.groups : node_group => spec.size }}";
		assertThat(Expressions.forBindings(template)).containsExactly("node_group", "spec");
		assertThat(Expressions.traversals(template)).contains(List.of("var", "groups"), List.of("spec", "size"));
	}

	@Test
	void whenTemplateEscapesInterpolationThenItIsText() {
		assertThat(Expressions.traversals("$${var.literal} ${var.real}")).containsExactly(List.of("var", "real"));
	}

}
