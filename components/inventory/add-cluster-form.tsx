"use client";
import { useState } from "react";
import { useRouter } from "next/navigation";
import { useMutation } from "@tanstack/react-query";
import { useTRPC } from "@/components/trpc";
import { ErrorNotice, FieldError } from "@/components/errors/error-notice";
import { useFieldErrors } from "@/components/errors/field-errors";

const FIELDS = ["name", "description"];

export function AddClusterForm() {
  const trpc = useTRPC();
  const router = useRouter();
  const [name, setName] = useState("");
  const [description, setDescription] = useState("");
  const create = useMutation(
    trpc.cluster.create.mutationOptions({
      onSuccess: (c) => router.push(`/clusters/${encodeURIComponent(c.name)}/inventory`),
    }),
  );
  const fields = useFieldErrors(create.error, FIELDS);
  return (
    <form
      className="inline"
      onSubmit={(e) => {
        e.preventDefault();
        create.mutate({ name, description });
      }}
    >
      <label>
        Name
        <input
          value={name}
          onChange={(e) => setName(e.target.value)}
          required
          placeholder="shop-prod"
          {...fields.inputProps("name")}
        />
        <FieldError fields={fields} field="name" />
      </label>
      <label style={{ flex: 1 }}>
        Description
        <input
          value={description}
          onChange={(e) => setDescription(e.target.value)}
          placeholder="optional"
          {...fields.inputProps("description")}
        />
        <FieldError fields={fields} field="description" />
      </label>
      <button className="primary" type="submit" disabled={create.isPending}>
        {create.isPending ? "Adding…" : "Add cluster"}
      </button>
      <div style={{ flexBasis: "100%" }}>
        <ErrorNotice error={create.error} context="Cluster not added" fields={fields} />
      </div>
    </form>
  );
}
