// Baseline worker for piscina: the same tiny task.
export default function square(x: number): number {
  return x * x;
}
