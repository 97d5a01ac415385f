"""Three-file project (nets.py, losses.py, train.py): max pooling in D, softplus losses in a module."""
# expect: T01=pass T02=pass T03=pass T04=pass T05=fail T06=absent T07=pass T08=absent T09=pass
# expect: T10=absent T11=pass T12=absent T13=absent T14=absent T15=absent T16=na T17=absent
# reason: T05=fail the discriminator in nets.py pools with nn.MaxPool2d
# reason: T02=pass losses.generator_loss is softplus(-D(G(z))).mean(), the non-saturating loss
# reason: T12=absent CIFAR-10 labels are dropped by the loop
import torch
from torchvision import datasets, transforms

from losses import discriminator_loss, generator_loss
from nets import Discriminator, Generator

tf = transforms.Compose([transforms.ToTensor(), transforms.Normalize((0.5, 0.5, 0.5), (0.5, 0.5, 0.5))])
loader = torch.utils.data.DataLoader(datasets.CIFAR10("data", download=True, transform=tf), batch_size=64, shuffle=True)
G, D = Generator(), Discriminator()
opt_G = torch.optim.Adam(G.parameters(), lr=2e-4, betas=(0.5, 0.999))
opt_D = torch.optim.Adam(D.parameters(), lr=2e-4, betas=(0.5, 0.999))

for epoch in range(50):
    for real, _ in loader:
        z = torch.randn(real.size(0), 128)
        fake = G(z)
        loss_D = discriminator_loss(D(real), D(fake.detach()))
        opt_D.zero_grad()
        loss_D.backward()
        opt_D.step()
        loss_G = generator_loss(D(fake))
        opt_G.zero_grad()
        loss_G.backward()
        opt_G.step()
