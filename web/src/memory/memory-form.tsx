/** Add a memory, or edit one: content, category, tags, optional expiry. */
import { type FormEvent, useState } from "react";
import type { Memory } from "../api/types";
import { Alert, Button } from "../ui/form";
import { useAction } from "../ui/use-action";
import { memoryApi, parseTags } from "./api";

export function MemoryForm(props: { memory?: Memory; onSaved: (memory: Memory) => void; onCancel?: () => void }) {
  const { memory } = props;
  const [content, setContent] = useState(memory?.content ?? "");
  const [category, setCategory] = useState(memory?.category ?? "general");
  const [tags, setTags] = useState(memory?.tags.join(", ") ?? "");
  const [expires, setExpires] = useState("");
  const save = useAction(async () => {
    const input = {
      content: content.trim(),
      category: category.trim() || "general",
      tags: parseTags(tags),
      ...(expires ? { expires_at: new Date(expires).toISOString() } : {}),
    };
    return memory ? memoryApi.update(memory.id, input) : memoryApi.add(input);
  });

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const saved = await save.run();
    if (!saved) return;
    props.onSaved(saved);
    if (!memory) {
      setContent("");
      setTags("");
      setExpires("");
    }
  };

  return (
    <form className={memory ? "memory-edit stack" : "memory-form card card-padded stack"} onSubmit={submit}>
      {memory ? null : <h2>Remember something</h2>}
      <textarea
        value={content}
        onChange={(event) => setContent(event.target.value)}
        placeholder="What should the platform remember?"
        aria-label="Memory content"
        required
      />
      <div className="grid-2">
        <div className="field">
          <label htmlFor={`${memory?.id ?? "new"}-category`}>Category</label>
          <input
            id={`${memory?.id ?? "new"}-category`}
            value={category}
            onChange={(e) => setCategory(e.target.value)}
          />
        </div>
        <div className="field">
          <label htmlFor={`${memory?.id ?? "new"}-tags`}>Tags (comma-separated)</label>
          <input id={`${memory?.id ?? "new"}-tags`} value={tags} onChange={(e) => setTags(e.target.value)} />
        </div>
      </div>
      <div className="field">
        <label htmlFor={`${memory?.id ?? "new"}-expires`}>Forget after (optional)</label>
        <input
          id={`${memory?.id ?? "new"}-expires`}
          type="datetime-local"
          value={expires}
          onChange={(e) => setExpires(e.target.value)}
        />
      </div>
      {save.error ? <Alert kind="error">{save.error}</Alert> : null}
      <div className="row-actions">
        <Button type="submit" busy={save.busy} disabled={!content.trim()}>
          {memory ? "Save" : "Remember"}
        </Button>
        {props.onCancel ? (
          <Button variant="ghost" onClick={props.onCancel}>
            Cancel
          </Button>
        ) : null}
      </div>
    </form>
  );
}
