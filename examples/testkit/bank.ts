// examples/testkit/bank.ts — accounts and two tellers: one with a genuine race, one without.
import { type ActorRef, defineActor } from "../../mod.ts";

/** A bank account. */
export const Account = defineActor(import.meta.url, {
  init: (balance: number) => ({ balance }),
  handlers: {
    balance(state) {
      return state.balance;
    },
    set(state, balance: number) {
      state.balance = balance;
    },
    deposit(state, amount: number) {
      state.balance += amount;
    },
    /** Takes `amount` out if it is there, in one message: no other message can come in between. */
    withdraw(state, amount: number) {
      if (state.balance < amount) return false;
      state.balance -= amount;
      return true;
    },
  },
});

/** What a transfer names. */
export interface Transfer {
  from: ActorRef<typeof Account>;
  to: ActorRef<typeof Account>;
  amount: number;
}

/**
 * The bug: reads the balance with an ask, then writes it back with a tell. Another teller's
 * transfer can come in between the read and the write: both see 100, both take 60 out,
 * and the bank has made money.
 */
export const RacyTeller = defineActor(import.meta.url, {
  init: () => ({}),
  handlers: {
    async transfer(_state, t: Transfer) {
      const balance = await t.from.ask("balance");
      if (balance < t.amount) return false;
      t.from.tell("set", balance - t.amount);
      t.to.tell("deposit", t.amount);
      await Promise.all([t.from.flush(), t.to.flush()]);
      return true;
    },
  },
});

/** The fix: the check and the withdrawal are one message to the account. */
export const SafeTeller = defineActor(import.meta.url, {
  init: () => ({}),
  handlers: {
    async transfer(_state, t: Transfer) {
      const ok = await t.from.ask("withdraw", t.amount);
      if (!ok) return false;
      t.to.tell("deposit", t.amount);
      await t.to.flush();
      return true;
    },
  },
});
