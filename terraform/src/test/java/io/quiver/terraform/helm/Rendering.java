package io.quiver.terraform.helm;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Navigation helpers over rendered Kubernetes objects (SnakeYAML maps and lists).
 */
final class Rendering {

	private Rendering() {
	}

	static List<Map<String, Object>> objectsOfKind(List<Map<String, Object>> objects, String kind) {
		return objects.stream().filter((object) -> kind.equals(object.get("kind"))).toList();
	}

	static Map<String, Object> find(List<Map<String, Object>> objects, String kind, String name) {
		return objectsOfKind(objects, kind).stream()
			.filter((object) -> name.equals(at(object, "metadata", "name")))
			.findFirst()
			.orElseThrow(() -> new AssertionError("no " + kind + " named " + name));
	}

	@SuppressWarnings("unchecked")
	static <T> T at(Object node, String... path) {
		Object current = node;
		for (String key : path) {
			if (!(current instanceof Map<?, ?> map)) {
				return null;
			}
			current = map.get(key);
		}
		return (T) current;
	}

	static List<Map<String, Object>> containers(Map<String, Object> pod) {
		List<Map<String, Object>> containers = new ArrayList<>();
		List<Map<String, Object>> main = at(pod, "containers");
		List<Map<String, Object>> init = at(pod, "initContainers");
		if (init != null) {
			containers.addAll(init);
		}
		containers.addAll(main);
		return containers;
	}

}
