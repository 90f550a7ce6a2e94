/**
 * Text to tokens and back: DJL's Hugging Face tokenizer, the chat template from
 * {@code tokenizer_config.json}, and incremental detokenization for streaming.
 */
package io.quiver.worker.tokenizer;
