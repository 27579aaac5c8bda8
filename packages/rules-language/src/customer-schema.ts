import { BOOL, DOUBLE, listOf, objectType, STRING, type Type } from './types';

/**
 * What a rule can see of a customer. Every number is a CEL double: business users
 * never meet CEL's int/double distinction, and the engine and any CEL
 * implementation agree on every result.
 */
export interface Transaction {
  /** Always positive; `direction` says which way the money went. */
  amount: number;
  direction: 'in' | 'out';
  category: string;
  merchant: string;
  /** Whole days between the transaction and the evaluation date (0 = today). */
  daysAgo: number;
}

export interface CustomerFacts {
  profile: {
    age: number;
    tenureMonths: number;
    region: string;
    employmentStatus: string;
    creditScore: number;
    isHomeowner: boolean;
    hasOverdraft: boolean;
  };
  balances: {
    current: number;
    savings: number;
    overdraftLimit: number;
    overdraftUsed: number;
    creditCardDebt: number;
  };
  salary: {
    monthlyNet: number;
    paydayOfMonth: number;
    daysUntilPayday: number;
  };
  transactions: readonly Transaction[];
}

export const TRANSACTION_TYPE = objectType('transaction', {
  amount: DOUBLE,
  direction: STRING,
  category: STRING,
  merchant: STRING,
  daysAgo: DOUBLE,
});

export const CUSTOMER_VARIABLES: Readonly<Record<keyof CustomerFacts, Type>> = {
  profile: objectType('profile', {
    age: DOUBLE,
    tenureMonths: DOUBLE,
    region: STRING,
    employmentStatus: STRING,
    creditScore: DOUBLE,
    isHomeowner: BOOL,
    hasOverdraft: BOOL,
  }),
  balances: objectType('balances', {
    current: DOUBLE,
    savings: DOUBLE,
    overdraftLimit: DOUBLE,
    overdraftUsed: DOUBLE,
    creditCardDebt: DOUBLE,
  }),
  salary: objectType('salary', { monthlyNet: DOUBLE, paydayOfMonth: DOUBLE, daysUntilPayday: DOUBLE }),
  transactions: listOf(TRANSACTION_TYPE),
};
