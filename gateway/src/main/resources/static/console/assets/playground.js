// Sends the playground's message as an OpenAI chat completion to the console's own endpoint, which forwards it the
// way /v1 does; the session cookie authenticates it and the CSRF token travels in a header.
document.addEventListener('DOMContentLoaded', () => {
	const form = document.getElementById('playground');
	if (!form) {
		return;
	}
	const status = document.getElementById('pg-status');
	const answer = document.getElementById('pg-answer');
	const send = document.getElementById('pg-send');
	form.addEventListener('submit', async (event) => {
		event.preventDefault();
		send.disabled = true;
		answer.textContent = '';
		status.textContent = 'Waiting for the model…';
		const request = {
			model: form.elements.model.value,
			messages: [{ role: 'user', content: form.elements.prompt.value }],
			max_tokens: Number(form.elements.maxTokens.value),
			temperature: 0
		};
		try {
			const response = await fetch(form.action, {
				method: 'POST',
				credentials: 'same-origin',
				headers: { 'Content-Type': 'application/json', [form.dataset.csrfHeader]: form.dataset.csrfToken },
				body: JSON.stringify(request)
			});
			const body = await response.json().catch(() => ({}));
			if (!response.ok) {
				status.textContent = (body.error && body.error.message) || ('The request failed (' + response.status + ').');
				return;
			}
			answer.textContent = body.choices[0].message.content;
			status.textContent = body.usage
				? body.usage.prompt_tokens + ' prompt and ' + body.usage.completion_tokens + ' completion tokens.'
				: 'Done.';
		}
		catch (error) {
			status.textContent = 'The request failed: ' + error.message;
		}
		finally {
			send.disabled = false;
		}
	});
});
